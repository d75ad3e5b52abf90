"""Settings read from the environment (django-environ).

With nothing set the project runs embedded: SQLite and Celery's filesystem broker under ``var/``.
``DATABASE_URL`` and ``CELERY_BROKER_URL`` switch to PostgreSQL and Redis. ``DJANGO_ENV=production``
turns on the deployment checks and refuses to start without ``SECRET_KEY``.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set (50+ characters) when DJANGO_ENV=production")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production-0123456789")

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "knox",
    "django_celery_beat",
    "django_fsm",  # templates for django_fsm.admin.FSMAdminMixin (queue transition buttons)
    "django_fsm_log",
    "auditlog",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "plexus_office.platform",
    "accounts",
    "leads",
    "clearing",
    "refunds",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # gunicorn serves /static/ (admin CSS) itself
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "plexus_office.platform.middleware_mfa.StaffMFAMiddleware",
    "accounts.middleware_cancelled.CancelledAccountMiddleware",
    "accounts.language.MemberLanguageMiddleware",  # a signed-in member's saved language
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
    "plexus_office.platform.login_ceiling.LoginCeilingMiddleware",
]

FORM_RENDERER = "plexus_office.platform.form_renderer.FormRenderer"
ROOT_URLCONF = "plexus_office.urls"
WSGI_APPLICATION = "plexus_office.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "plexus_office.platform.context_processors.inbox",
                "accounts.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'plexus.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a new PostgreSQL connection per request cost 9-14 ms of every page. Health
# checks make a connection the server dropped (restart, failover, pg_terminate_backend) be replaced
# at the start of the next request instead of failing it. 0 turns persistence off.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The embedded database's connection options (a constant, so tests check them on any database).
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT: our statements are short, and where the planner over-estimates a never-run branch
    # (today's tree level counts a path range only when the rollup is stale) JIT compiled for 25 ms
    # of a 28 ms query; the Leads run and the team CSV had turned it off for the same reason.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite serialises writers; wait for the lock instead of failing with "database is locked".
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock when a transaction
    # begins, so two simultaneous writes queue (up to ``timeout``) instead of one failing with
    # "database is locked" when a read lock cannot be upgraded mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's password check behind a per-username ceiling across IPs (slows, never locks).
    "plexus_office.platform.login_ceiling.CeilingModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Behind a TLS terminator or load balancer, the number of proxies in front of gunicorn: the client
# is then the entry they appended to X-Forwarded-For (plexus_office/platform/client_ip.py). 0 = no
# proxy: REMOTE_ADDR, and a client-sent X-Forwarded-For is ignored. Used by axes, rate limits, DRF.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "plexus_office.platform.client_ip.client_ip"

# Login throttling: lock a user+IP pair for a while after repeated failures, never forever.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"  # a page in the site's layout, status 429
# The commands contract allows one stderr line on bad input; axes would print its banner before it.
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)
# No "AXES: BEGIN version ..." banner on every manage.py command (the operations contract allows one
# stderr line); lockouts are still recorded in the AccessAttempt/AccessFailureLog tables.
# Per username from any IPs (plexus_office/platform/login_ceiling.py): after 5 failures, one attempt per
# 30 s, doubling with each further failure up to 5 min; forgotten an hour after the last failure.
LOGIN_CEILING_ENABLED = env.bool("LOGIN_CEILING_ENABLED", default=True)
LOGIN_CEILING_FREE_FAILURES = env.int("LOGIN_CEILING_FREE_FAILURES", default=5)
LOGIN_CEILING_DELAY_SECONDS = env.int("LOGIN_CEILING_DELAY_SECONDS", default=30)
LOGIN_CEILING_MAX_DELAY_SECONDS = env.int("LOGIN_CEILING_MAX_DELAY_SECONDS", default=300)
LOGIN_CEILING_WINDOW_SECONDS = env.int("LOGIN_CEILING_WINDOW_SECONDS", default=3600)
PASSWORD_RESET_PER_IP_PER_HOUR = env.int("PASSWORD_RESET_PER_IP_PER_HOUR", default=20)
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = env.int("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", default=3)

# Staff second factor (TOTP, django-otp) for /admin/: always in production; STAFF_MFA_REQUIRED=false
# turns it off in development only (the demo staff logins print their TOTP secrets anyway).
STAFF_MFA_REQUIRED = True if PRODUCTION else env.bool("STAFF_MFA_REQUIRED", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Plexus Office")

LANGUAGE_CODE = "en"
# Member pages, forms, refusals and notifications in English, Spanish and Canadian French. Catalogues
# live in locale/<area>/<ll_CC>/LC_MESSAGES/django.po, one catalogue per area of the site (core, accounts,
# team, leads, clearing, refunds) so each can be reviewed on its own; compiled by `make`
# (bin/compile_messages.py). A msgid present in two areas must read the same in both.
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr-ca", "Français (Canada)")]
LOCALE_PATHS = sorted(path for path in (BASE_DIR / "locale").iterdir() if path.is_dir())
LANGUAGE_COOKIE_NAME = "plexus_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", default="America/Phoenix")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Development and tests serve straight from the apps' static folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_ROOT.exists()
WHITENOISE_AUTOREFRESH = DEBUG

# Rate limits and login counters must be shared by every gunicorn worker: Redis in production
# (CACHE_URL=redis://host:6379/1); the default in-process cache suits one development process.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# --- Email -------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if env.str("EMAIL_HOST", default="")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "sent-emails"
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Plexus Office <no-reply@plexus.example>")

# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _d in (_queue_dir, _processed_dir, _control_dir):
        _d.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "store_processed": True,
        "control_folder": str(_control_dir),
    }
else:
    # Unacknowledged messages come back after visibility_timeout; task limits stay well below it.
    # CELERY_VISIBILITY_TIMEOUT is lowered only by the fault tests (a killed worker's task returns fast).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 1800
CELERY_TASK_SOFT_TIME_LIMIT = 1500
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Expiring tokens stored hashed (django-rest-knox), issued at /api/v1/auth/token/.
        "knox.auth.TokenAuthentication",
    ],
    # Writes are throttled per IP (anonymous) and per user; reads are not.
    "DEFAULT_THROTTLE_CLASSES": [
        "plexus_office.platform.api_throttles.AnonWriteThrottle",
        "plexus_office.platform.api_throttles.UserWriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon_write": env.str("API_ANON_WRITE_RATE", default="20/min"),
        "user_write": env.str("API_USER_WRITE_RATE", default="60/min"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Throttles identify anonymous clients like axes does; DRF's default (None) would trust any
    # client-sent X-Forwarded-For and let a script pick a fresh identity per request.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # A body nested past a few dozen levels is refused with 400 (Python's parser would recurse to a 500).
    "DEFAULT_PARSER_CLASSES": [
        "plexus_office.platform.api_parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # A service's Refused becomes {"code", "detail", "field"} (plexus_office/platform/errors.py).
    "EXCEPTION_HANDLER": "plexus_office.platform.errors.api_exception_handler",
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=10)),
    "TOKEN_LIMIT_PER_USER": 5,
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Plexus Office API",
    "DESCRIPTION": "Self-service for ambassadors and customers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # One name for the country list used by addresses and enrollments alike.
    "ENUM_NAME_OVERRIDES": {"CountryEnum": "accounts.validation.COUNTRIES"},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "plexus_office.schema_hooks.document_error_responses",
    ],
}

# --- Security ----------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        # No inline script and no CDN: Swagger UI comes from drf-spectacular-sidecar, served here,
        # with its start-up script as a separate file (SpectacularSwaggerSplitView).
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Business settings -------------------------------------------------------------------------
# Payment gateway implementation (dotted path); the sandbox keeps only tokens.
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="plexus_office.platform.gateway.SandboxGateway")
# Return label fee deducted when the prepaid label is used, per order country; none elsewhere.
RETURN_LABEL_FEES = {"US": Decimal("6.00")}
# Perk Credit thresholds: subscription-order PV needed for each credit amount (ascending).
PERK_CREDIT_THRESHOLDS = [(100, Decimal("10.00")), (200, Decimal("25.00")), (300, Decimal("50.00"))]

# Autoship and pay (accounts/subscriptions, accounts/pay): shipping of a subscription order per
# country (free when absent) and the day of the month the job commits last month's payout.
SUBSCRIPTION_SHIPPING: dict[str, str] = {}
PAYOUT_DAY = env.int("PAYOUT_DAY", default=5)
# Enrollment and membership (business rules §7): the annual Brand Ambassador fee, flat shipping of a
# first order, and the anonymous enrollment throttle per IP (form and API alike).
MEMBERSHIP_FEE = Decimal(env.str("MEMBERSHIP_FEE", default="49.00"))
FIRST_ORDER_SHIPPING = Decimal(env.str("FIRST_ORDER_SHIPPING", default="7.95"))
ENROLLMENT_THROTTLE_RATE = env.str("ENROLLMENT_THROTTLE_RATE", default="20/hour")
