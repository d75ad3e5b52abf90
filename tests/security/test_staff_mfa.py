"""Staff need a second factor for /admin/: QR enrolment, TOTP codes, single-use recovery codes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from operations.seed.logins import demo_logins
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mfa_on(settings):
    settings.STAFF_MFA_REQUIRED = True


@pytest.fixture
def staff(client):
    user = UserFactory(username="cs-mia", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _enrol(client) -> list[str]:
    client.get(reverse("mfa"))
    device = TOTPDevice.objects.get(confirmed=False)
    page = client.post(reverse("mfa"), {"code": _code(device)})
    return re.findall(r"<li><code>([0-9a-z]+)</code></li>", page.content.decode())


def test_a_signed_in_staff_member_without_a_second_factor_is_sent_to_set_one_up(client, staff):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa')}?next=%2Fadmin%2F"


def test_enrolment_shows_a_qr_code_and_the_key_and_needs_one_right_code(client, staff):
    page = client.get(reverse("mfa")).content.decode()
    device = TOTPDevice.objects.get(user=staff)

    assert "<svg" in page and "otpauth" not in page  # the URL is only inside the QR image
    assert re.search(r"<code>[A-Z2-7]{32}</code>", page)
    wrong = client.post(reverse("mfa"), {"code": "000000" if _code(device) != "000000" else "111111"})
    assert "that code is not right" in wrong.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_confirmed_code_gives_ten_recovery_codes_and_opens_the_admin(client, staff):
    codes = _enrol(client)

    assert len(codes) == len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=staff).confirmed is True
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_next_login_asks_for_a_code_and_a_recovery_code_works_once(client, staff):
    codes = _enrol(client)
    client.logout()

    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.post(reverse("mfa"), {"code": codes[0]}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    client.force_login(staff)
    reused = client.post(reverse("mfa"), {"code": codes[0]})
    assert "already used" in reused.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_development_switch_turns_the_second_factor_off(client, staff, settings):
    settings.STAFF_MFA_REQUIRED = False

    assert client.get(reverse("admin:index")).status_code == 200


def test_members_pages_never_ask_members_for_a_second_factor(client):
    member = UserFactory(username="plain")
    client.force_login(member)

    assert client.get(reverse("mfa")).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 302  # the admin login, not MFA
    assert "mfa" not in client.get(reverse("admin:index"))["Location"]


def test_demo_staff_logins_come_with_a_working_totp_secret(client):
    logins = {login["username"]: login for login in demo_logins()}
    device = TOTPDevice.objects.get(user__username="cs")

    assert re.fullmatch(r"[A-Z2-7]{32}", logins["cs"]["totp_secret"])
    client.force_login(device.user)
    assert client.post(reverse("mfa"), {"code": _code(device)}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
