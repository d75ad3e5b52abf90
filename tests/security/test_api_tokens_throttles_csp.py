"""API tokens expire and are stored hashed; writes are throttled; no inline script, no CDN."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle

from plexus_office.platform.api_throttles import AnonWriteThrottle
from tests.factories import AmbassadorFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def member():
    user = UserFactory(username="scripted")
    user.set_password(PASSWORD)
    user.save()
    return AmbassadorFactory(user=user)


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_a_member_gets_an_expiring_token_that_is_stored_only_as_a_hash(member):
    api = APIClient()

    issued = api.post(reverse("api_token"), HTTP_AUTHORIZATION=_basic("scripted", PASSWORD)).json()

    stored = AuthToken.objects.get(user=member.user)
    assert issued["token"] not in (stored.digest, stored.token_key) and len(stored.digest) == 128
    assert timedelta(hours=9) < stored.expiry - timezone.now() <= timedelta(hours=10)
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued['token']}")
    assert api.get(reverse("api_me")).json()["number"] == member.number


def test_an_expired_token_is_refused(member):
    instance, token = AuthToken.objects.create(user=member.user, expiry=timedelta(hours=1))
    AuthToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api.get(reverse("api_me")).status_code in (401, 403)


def test_a_revoked_token_is_refused(member):
    _instance, token = AuthToken.objects.create(user=member.user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api.post(reverse("api_token_revoke")).status_code == 204
    assert api.get(reverse("api_me")).status_code in (401, 403)


def test_a_wrong_password_gets_no_token(member):
    response = APIClient().post(reverse("api_token"), HTTP_AUTHORIZATION=_basic("scripted", "nope"))

    assert response.status_code == 401
    assert AuthToken.objects.count() == 0


def test_staff_get_no_api_token():
    staff = UserFactory(username="cs-api", is_staff=True)
    staff.set_password(PASSWORD)
    staff.save()

    response = APIClient().post(reverse("api_token"), HTTP_AUTHORIZATION=_basic("cs-api", PASSWORD))

    assert response.status_code == 403


def test_authenticated_writes_are_throttled_and_reads_are_not(member, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon_write": "2/min", "user_write": "3/min"},
    }
    SimpleRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    api = APIClient()
    api.force_authenticate(member.user)

    writes = [api.post(reverse("api_notifications_read"), {}, format="json").status_code for _ in range(4)]
    reads = {api.get(reverse("api_me")).status_code for _ in range(5)}

    assert writes[:3] != [429] * 3 and writes[3] == 429
    assert reads == {200}


def test_anonymous_writes_are_throttled_per_ip_and_reads_are_not():
    SimpleRateThrottle.THROTTLE_RATES = {"anon_write": "2/min", "user_write": "3/min"}
    factory = APIRequestFactory()

    def allowed(method: str) -> bool:
        request = Request(getattr(factory, method)("/api/v1/auth/token/", REMOTE_ADDR="203.0.113.9"))
        request.user = AnonymousUser()
        return AnonWriteThrottle().allow_request(request, None)

    assert [allowed("post") for _ in range(3)] == [True, True, False]
    assert allowed("get") is True


@pytest.fixture(autouse=True)
def _restore_rates():
    yield
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_no_page_allows_inline_scripts_or_a_cdn(client):
    response = client.get(reverse("login"))

    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]


def test_swagger_ui_is_served_from_this_site_with_no_inline_script(client):
    page = client.get(reverse("swagger-ui")).content.decode()

    assert "cdn.jsdelivr" not in page and "unpkg" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    scripts = [chunk.split(">", 1)[0] for chunk in page.split("<script")[1:]]
    assert scripts and all("src=" in tag for tag in scripts)
