"""Which address axes, rate limits and throttles count (TRUSTED_PROXY_COUNT, README "Login protection")."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from rest_framework.request import Request

from plexus_office.platform.api_throttles import AnonWriteThrottle
from plexus_office.platform.client_ip import client_ip
from tests.factories import UserFactory

PROXY = "10.0.0.5"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_CEILING_ENABLED = False  # only axes' username+IP count here


def _fail(username: str, **meta: str) -> int:
    return Client().post("/login/", {"username": username, "password": "wrong"}, **meta).status_code


def test_without_a_proxy_a_client_sent_forwarded_header_is_ignored(db, axes_on, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    UserFactory(username="ann")

    forged = [f"192.0.2.{n}" for n in range(4)]
    statuses = [_fail("ann", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=address) for address in forged]

    assert statuses == [200, 200, 429, 429]  # one address however the header changes


def test_behind_one_proxy_each_client_is_counted_on_its_own(db, axes_on, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="ann")
    for _ in range(3):
        _fail("ann", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")

    locked = _fail("ann", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    neighbour = _fail("ann", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert (locked, neighbour) == (429, 200)


def test_behind_one_proxy_the_entry_it_appended_wins_over_a_forged_one(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")

    assert client_ip(request) == "203.0.113.7"


def test_api_throttles_ignore_a_client_sent_forwarded_header():
    request = Request(RequestFactory().post("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.1"))

    assert AnonWriteThrottle().get_ident(request) == "203.0.113.7"
