"""Per-username ceiling on failed sign-ins across IPs (plexus_office/platform/login_ceiling.py).

axes stays on (5 failures per username+IP) as in production; each IP below tries once or twice, so
only the ceiling can slow these attempts.
"""

from __future__ import annotations

import base64
import re
import threading
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import StaffUserFactory, UserFactory

PASSWORD = "pass-word-123"  # the factories' password


@pytest.fixture(autouse=True)
def _ceiling(settings):
    settings.AXES_ENABLED = True
    settings.LOGIN_CEILING_ENABLED = True
    settings.LOGIN_CEILING_FREE_FAILURES = 5
    settings.LOGIN_CEILING_DELAY_SECONDS = 60
    settings.LOGIN_CEILING_MAX_DELAY_SECONDS = 300
    settings.LOGIN_CEILING_WINDOW_SECONDS = 3600


def _ip(n: int) -> str:
    return f"198.51.100.{n + 1}"


def _login(client: Client, username: str, password: str, n: int, path: str = "/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=_ip(n))


def _token(client: Client, username: str, password: str, n: int):
    basic = base64.b64encode(f"{username}:{password}".encode()).decode()
    return client.post(reverse("api_token"), HTTP_AUTHORIZATION=f"Basic {basic}", REMOTE_ADDR=_ip(n))


def _wait(response) -> int:
    return int(response["Retry-After"])


def test_failures_spread_over_20_ips_slow_the_username_from_the_sixth(client, db):
    UserFactory(username="ann")

    responses = [_login(client, "ann", f"guess-{n}", n) for n in range(20)]

    assert [r.status_code for r in responses] == [200] * 5 + [429] * 15
    first_slowed = responses[5]
    # 60 s after the 5th failure, less the moments the test took (under a second on this machine)
    assert 58 <= _wait(first_slowed) <= 60
    assert f"Try again in {_wait(first_slowed)} seconds." in first_slowed.content.decode()
    assert "Please enter a correct username" in responses[4].content.decode()


def test_slowed_attempts_do_not_extend_the_wait(client, db, settings):
    settings.LOGIN_CEILING_DELAY_SECONDS = 2
    UserFactory(username="ann")
    for n in range(5):
        _login(client, "ann", "guess", n)

    refused = [_login(client, "ann", "guess", 5 + n).status_code for n in range(10)]
    time.sleep(2.1)

    assert refused == [429] * 10
    assert _login(client, "ann", PASSWORD, 15).status_code == 302


def test_other_usernames_are_not_slowed(client, db):
    UserFactory(username="ann")
    UserFactory(username="bob")
    for n in range(8):
        _login(client, "ann", "guess", n)

    response = _login(client, "bob", PASSWORD, 7)

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_right_password_works_after_the_wait_and_forgets_the_failures(client, db, settings):
    settings.LOGIN_CEILING_DELAY_SECONDS = 1
    user = UserFactory(username="ann")
    for n in range(5):
        _login(client, "ann", "guess", n)
    during = _login(client, "ann", PASSWORD, 5)
    time.sleep(_wait(during) + 0.1)

    after = _login(client, "ann", PASSWORD, 6)
    next_failure = Client().post("/login/", {"username": "ann", "password": "typo"}, REMOTE_ADDR=_ip(7))

    assert during.status_code == 429 and _wait(during) == 1
    assert after.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    assert next_failure.status_code == 200  # the count started again: 1 failure, not slowed


def test_wait_doubles_with_each_failure_after_the_wait(client, db, settings):
    settings.LOGIN_CEILING_DELAY_SECONDS = 1
    UserFactory(username="ann")
    for n in range(5):
        _login(client, "ann", "guess", n)
    time.sleep(1.1)

    checked = _login(client, "ann", "guess", 5)
    slowed = _login(client, "ann", "guess", 6)

    assert checked.status_code == 200
    assert slowed.status_code == 429 and _wait(slowed) == 2


def _without_csrf(content: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


def test_the_answer_is_the_same_for_an_unknown_username(db):
    UserFactory(username="ann")
    known = [_login(Client(), "ann", "guess", n) for n in range(7)]
    unknown = [_login(Client(), "nobody-by-this-name", "guess", n) for n in range(7)]

    assert [r.status_code for r in unknown] == [r.status_code for r in known] == [200] * 5 + [429] * 2
    assert _wait(unknown[6]) == _wait(known[6])
    assert _without_csrf(unknown[6].content) == _without_csrf(known[6].content)
    assert "nobody-by-this-name" not in unknown[6].content.decode()


def test_staff_admin_login_is_slowed_too(client, db):
    StaffUserFactory(username="finn")

    statuses = [_login(client, "finn", "guess", n, path="/admin/login/").status_code for n in range(7)]

    assert statuses == [200] * 5 + [429] * 2


def test_api_token_login_is_slowed_with_a_json_answer(client, db):
    UserFactory(username="ann")

    responses = [_token(client, "ann", "guess", n) for n in range(7)]

    assert [r.status_code for r in responses] == [401] * 5 + [429] * 2
    body = responses[5].json()
    assert body["code"] == "too_many_attempts" and body["field"] is None
    assert body["retry_after"] == _wait(responses[5])
    wait = body["retry_after"]
    assert body["detail"] == f"Too many sign-in attempts for this account. Try again in {wait} seconds."


def test_the_three_entry_points_share_one_count(client, db):
    UserFactory(username="ann")
    _login(client, "ann", "guess", 0)
    _login(client, "ann", "guess", 1, path="/admin/login/")
    _token(client, "ann", "guess", 2)
    _login(client, "ann", "guess", 3)
    _token(client, "ann", "guess", 4)

    assert _login(client, "ann", PASSWORD, 5, path="/admin/login/").status_code == 429


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request, settings):
    if request.param == "redis":
        broker = django_settings.CELERY_BROKER_URL
        if not broker.startswith("redis://"):
            pytest.skip("needs Redis (set CELERY_BROKER_URL=redis://...)")
        # A fresh key prefix instead of a flush: other tests may share this Redis database.
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": broker,
                "KEY_PREFIX": f"test-login-ceiling-{uuid.uuid4().hex}",
                "TIMEOUT": 600,
            }
        }
        settings.LOGIN_CEILING_WINDOW_SECONDS = 600
    return request.param


@pytest.mark.django_db(transaction=True)
def test_simultaneous_attempts_from_20_ips_get_5_password_checks(shared_cache, settings):
    # Each IP tries once, so axes' per-IP rows play no part; their simultaneous INSERTs would lock
    # the shared in-memory SQLite test database's table.
    settings.AXES_ENABLED = False
    UserFactory(username="ann")
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            status = _login(Client(), "ann", f"guess-{n}", n).status_code
        finally:
            connection.close()  # this thread's own connection, or the test database cannot be dropped
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] * 5 + [429] * 15
