"""Password reset: the same answer for known and unknown addresses, through the outbox, rate-limited."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from plexus_office.platform.models import EmailOutbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def known():
    return UserFactory(username="rita", email="rita@example.com")


def _ask(client, email: str, ip: str = "198.51.100.7"):
    started = time.monotonic()
    response = client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)
    return response, time.monotonic() - started


def test_a_known_and_an_unknown_address_get_the_same_answer_after_the_same_minimum_time(client, known):
    mine, mine_took = _ask(client, "rita@example.com")
    nobody, nobody_took = _ask(client, "nobody@example.com")

    assert (
        (mine.status_code, mine["Location"])
        == (nobody.status_code, nobody["Location"])
        == (
            302,
            reverse("password_reset_done"),
        )
    )
    assert mine_took >= 0.4 and nobody_took >= 0.4


def test_the_reset_email_goes_through_the_outbox_with_html_and_text(client, known):
    _ask(client, "rita@example.com")

    row = EmailOutbox.objects.get(to_email="rita@example.com")
    assert row.event == "accounts_password_reset" and "/password/reset/" in row.body_text
    assert "Choose a new password" in row.body_html
    assert EmailOutbox.objects.filter(to_email="nobody@example.com").count() == 0


def test_one_address_gets_at_most_three_reset_emails_an_hour_and_the_page_stays_the_same(
    client, known, settings
):
    answers = [_ask(client, "rita@example.com", ip=f"198.51.100.{n}")[0].status_code for n in range(5)]

    assert answers == [302] * 5
    assert EmailOutbox.objects.filter(to_email="rita@example.com").count() == 3


def test_one_ip_asking_too_often_gets_429(client, settings):
    settings.PASSWORD_RESET_PER_IP_PER_HOUR = 2

    codes = [_ask(client, f"x{n}@example.com")[0].status_code for n in range(3)]

    assert codes == [302, 302, 429]
