"""A cancelled member keeps their notifications, orders, refunds and cards; the downline is closed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AmbassadorFactory, SavedCardFactory, UserFactory, VipCustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cancelled(client):
    account = AmbassadorFactory(user=UserFactory(username="gone"), status="cancelled")
    VipCustomerFactory(sponsor=account, name="Dora Downline")
    client.force_login(account.user)
    return account


@pytest.mark.parametrize(
    "name",
    [
        "account_inbox",
        "account_personal",
        "account_cards",
        "refunds:home",
        "api_me",
        "api_cards",
        "api_notifications",
    ],
)
def test_a_cancelled_member_still_reads_what_is_theirs(client, cancelled, name):
    assert client.get(reverse(name)).status_code == 200


def test_a_cancelled_member_lands_on_a_page_saying_what_they_can_still_do(client, cancelled):
    page = client.get(reverse("dashboard"))

    assert page.status_code == 200
    assert "This account is cancelled" in page.content.decode()
    assert "Dora Downline" not in page.content.decode()


@pytest.mark.parametrize(
    "name", ["api_downline", "clearing:home", "leads:correction", "account_dropship", "account_newsletter"]
)
def test_a_cancelled_member_no_longer_sees_a_downline_or_changes_the_account(client, cancelled, name):
    response = client.get(reverse(name))

    assert response.status_code == 403
    assert "Dora Downline" not in response.content.decode()


def test_a_cancelled_member_cannot_write_through_the_api(client, cancelled):
    response = client.post(
        reverse("api_me_email"), {"email": "new@example.com"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "account_cancelled"
    cancelled.refresh_from_db()
    assert cancelled.email != "new@example.com"


def test_a_cancelled_member_may_remove_a_saved_card(client, cancelled):
    card = SavedCardFactory(account=cancelled)

    response = client.delete(reverse("api_card", args=[card.pk]))

    assert response.status_code in (200, 204), response.content
    card.refresh_from_db()
    assert card.removed_at is not None


def test_an_active_member_is_not_affected(client):
    account = AmbassadorFactory(user=UserFactory(username="here"))
    client.force_login(account.user)

    assert client.get(reverse("api_downline")).status_code == 200
