"""Shared fixtures. Tests that only PostgreSQL can run carry ``@pytest.mark.postgres``: on SQLite they
are reported as skipped (never passed silently); CI runs on PostgreSQL and fails on any skip."""

from __future__ import annotations

import logging
import os

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.utils import translation

from bin.compile_messages import compile_all

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's sync API


def pytest_configure(config):
    # The translation catalogues are compiled by `make`; a bare `pytest` compiles any stale one too.
    compile_all()


# The test SMTP servers (aiosmtpd) log every session from their own threads, which can outlive a
# test's captured log stream; their chatter is not what the tests look at.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        # A transactional test flushes the database when it ends, which would also remove what the
        # data migrations created (corporate accounts 1 and 2, staff groups, beat schedules).
        # Serialized rollback puts that reference data back for the next test.
        names = getattr(item, "fixturenames", ())
        marker = item.get_closest_marker("django_db")
        if (
            "live_server" in names
            or "transactional_db" in names
            or (marker and marker.kwargs.get("transaction"))
        ):
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True), append=False)

    # A transactional test ends with a flush and the reference data comes back only at the start of
    # the next serialized test, so every rolled-back test must run before the first transactional one
    # (pytest-django sorts before the markers above exist; a stable sort here keeps the file order).
    def transactional(item) -> bool:
        marker = item.get_closest_marker("django_db")
        return bool(marker and marker.kwargs.get("transaction"))

    items[:] = sorted(items, key=transactional)

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = False
    # The enrollment throttle's counts live in the process-wide cache; tests that check it lower it.
    settings.ENROLLMENT_THROTTLE_RATE = "100000/hour"
    settings.STAFF_MFA_REQUIRED = False  # tests/security/test_staff_mfa.py turns it on
    cache.clear()  # API write throttles and reset rate limits count per test, not per session
    # A page requested in es/fr-ca leaves its language active in this thread: every test starts in the
    # site default, whatever ran before it.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Make sure the reference data is serialized for transactional tests' rollback.

    pytest-django serializes only when it sees a serialized test at setup time, and Django keeps the
    snapshot on the connection object, which is per context: Playwright's sync API runs tests in
    another context, with a fresh connection object. Snapshot once and put it on the backend class so
    every connection object finds it.
    """

    with django_db_blocker.unblock():
        for conn in connections.all(initialized_only=False):
            content = (
                getattr(conn, "_test_serialized_contents", None) or conn.creation.serialize_db_to_string()
            )
            type(conn)._test_serialized_contents = content
        # Test-only unmanaged models (e.g. the platform's demo queue) get their tables for the whole
        # session: deletes anywhere may cascade through them.
        test_models = [
            m for m in apps.get_models() if not m._meta.managed and m.__module__.startswith("tests.")
        ]
        with connection.schema_editor() as editor:
            for model in test_models:
                editor.create_model(model)
    yield
