"""Production settings: ``check --deploy`` clean, no start without a secret, security headers, static files.

The deploy check runs ``manage.py`` in a subprocess with ``DJANGO_ENV=production`` (settings are read
once per process); the headers are checked on real responses with the production values applied.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

BASE_DIR = Path(__file__).resolve().parents[2]
SECRET = "prod-" + "Zq9x3Lk7Vb2Nm8Wc4Rt6Yh1Jd5Gf0Sa" * 2  # 69 characters, mixed


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    unset = (
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    )  # the test runner sets the last
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="office.plexus.example",
        # README "Login protection": a shared cache and one TLS-terminating proxy in front.
        CACHE_URL="redis://127.0.0.1:6379/1",
        TRUSTED_PROXY_COUNT="1",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="office.plexus.example")

    assert result.returncode == 1
    assert "SECRET_KEY must be set (50+ characters) when DJANGO_ENV=production" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage("check", DJANGO_ENV="production", SECRET_KEY="short-secret", ALLOWED_HOSTS="x.example")

    assert result.returncode == 1
    assert "SECRET_KEY must be set (50+ characters)" in result.stderr


@pytest.fixture
def production_security(settings):
    """The values DJANGO_ENV=production sets, on this test process."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["office.plexus.example"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


@pytest.mark.django_db
def test_login_page_over_https_carries_every_security_header(production_security):
    response = Client().get("/login/", HTTP_HOST="office.plexus.example", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    csrf_cookie = response.cookies["csrftoken"]
    assert csrf_cookie["secure"] is True


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_in_production(production_security):
    response = Client().get("/login/", HTTP_HOST="office.plexus.example")

    assert response.status_code == 301
    assert response["Location"] == "https://office.plexus.example/login/"


@pytest.mark.django_db
def test_session_cookie_after_login_is_secure_and_http_only(production_security, django_user_model):
    django_user_model.objects.create_user(username="prod-user", password="a-long-pass-phrase-1")
    response = Client().post(
        "/login/",
        {"username": "prod-user", "password": "a-long-pass-phrase-1"},
        HTTP_HOST="office.plexus.example",
        HTTP_X_FORWARDED_PROTO="https",
    )

    assert response.status_code == 302
    session_cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] is True
    assert session_cookie["httponly"] is True


def test_no_hsts_over_plain_http_in_development(client):
    response = client.get("/login/")

    assert "Strict-Transport-Security" not in response
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


def test_static_files_are_served_by_the_app_through_whitenoise():
    assert django_settings.MIDDLEWARE[1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert django_settings.STORAGES["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedStaticFilesStorage"
    )


def test_production_always_requires_the_staff_second_factor():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.STAFF_MFA_REQUIRED)",
        DJANGO_ENV="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="office.plexus.example",
        STAFF_MFA_REQUIRED="false",
    )

    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr
