from __future__ import annotations

import pytest
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.flags import flags_refresh
from accounts.models import SavedCard
from plexus_office.platform.notifications import notify
from tests.factories import AmbassadorFactory, SavedCardFactory, UserFactory

pytestmark = pytest.mark.usefixtures("_today")


@pytest.fixture
def api(member):
    client = APIClient()
    client.force_authenticate(member.user)
    return client


def test_me_needs_authentication(db):
    assert APIClient().get("/api/v1/me/").status_code in (401, 403)


def test_token_authentication_reads_me(member):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=member.user)[1]}")
    body = client.get("/api/v1/me/").json()
    assert (body["number"], body["email"], body["commission_qualified"]) == (
        member.number,
        "ann@example.com",
        False,
    )


def test_patch_me_with_bad_phone_is_400_with_the_field(api, member):
    response = api.patch("/api/v1/me/", {"phone": "123"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["phone"]


def test_put_addresses_with_bad_zip_reports_the_nested_field(api):
    payload = {
        "mailing": {"street": "1 Main", "city": "Mesa", "region": "AZ", "postal_code": "1", "country": "US"},
        "shipping_same_as_mailing": True,
    }
    response = api.put("/api/v1/addresses/", payload, format="json")
    assert response.status_code == 400 and list(response.json()["mailing"]) == ["postal_code"]


def test_add_card_returns_no_number_or_cvv(api):
    response = api.post(
        "/api/v1/cards/",
        {
            "number": "5555555555554444",
            "exp_month": 1,
            "exp_year": 2030,
            "cvv": "321",
            "holder_name": "Ann",
            "postal_code": "85251",
        },
        format="json",
    )
    assert response.status_code == 201
    assert set(response.json()) == {
        "id",
        "brand",
        "last4",
        "exp_month",
        "exp_year",
        "holder_name",
        "billing_postal_code",
        "is_default",
        "pays_subscription",
    }
    assert (response.json()["brand"], response.json()["last4"]) == ("Mastercard", "4444")


def test_add_card_with_garbage_is_400_not_500(api):
    response = api.post("/api/v1/cards/", {"number": "abc", "exp_month": "x", "cvv": None}, format="json")
    assert response.status_code == 400
    assert {"exp_month", "exp_year", "holder_name", "postal_code"} <= set(response.json())


@pytest.mark.parametrize(
    "method,suffix", [("get", ""), ("delete", ""), ("post", "default/"), ("post", "subscription/")]
)
def test_another_members_card_is_404(api, method, suffix):
    foreign = SavedCardFactory(account=AmbassadorFactory())
    response = getattr(api, method)(f"/api/v1/cards/{foreign.pk}/{suffix}")
    assert response.status_code == 404
    assert SavedCard.objects.get(pk=foreign.pk).removed_at is None


def test_deleting_the_subscription_card_is_400(api, subscribed):
    response = api.delete(f"/api/v1/cards/{subscribed.subscription.card_id}/")
    assert response.status_code == 400 and "card" in response.json()


def test_newsletter_put_keeps_consent_time(api):
    body = api.put("/api/v1/newsletter/", {"opt_in": True}, format="json").json()
    assert body["opt_in"] is True and body["consent_at"].startswith("2026-03-10T12:00:00")


def test_notifications_list_and_mark_read_only_own(api, member):
    other = AmbassadorFactory()
    mine = notify(recipient=member, event="accounts_membership_cancelled", context={"account": member}).inbox
    theirs = notify(recipient=other, event="accounts_membership_cancelled", context={"account": other}).inbox
    assert api.get("/api/v1/notifications/").json()["unread"] == 1
    marked = api.post("/api/v1/notifications/read/", {"ids": [mine.pk, theirs.pk]}, format="json").json()
    theirs.refresh_from_db()
    assert (marked["marked"], theirs.read_at) == (1, None)


def test_flags_list_has_fix_urls(api, member):
    member.shipping_city = ""
    member.save()

    flags_refresh(account=member)
    assert api.get("/api/v1/flags/").json() == [
        {
            "code": "shipping_incomplete",
            "label": "Shipping address incomplete",
            "explanation": "Your shipping address is missing street, city, state, postal code or country.",
            "fix_url": "http://testserver/account/personal/",
        }
    ]


def test_downline_lists_only_my_organization(api, member):
    child = AmbassadorFactory(sponsor=member, name="Kid")
    AmbassadorFactory(name="Stranger")
    rows = api.get("/api/v1/downline/?limit=10").json()
    assert [(r["number"], r["depth"]) for r in rows] == [(child.number, 1)]


def test_downline_bad_limit_is_400(api):
    assert api.get("/api/v1/downline/?limit=-1").status_code == 400


def test_login_without_member_account_gets_404(db):
    client = APIClient()
    client.force_authenticate(UserFactory(username="staff2", is_staff=True))
    assert client.get("/api/v1/cards/").status_code == 404


def test_schema_generates_without_warnings_for_account_endpoints(db, capsys):
    call_command("spectacular", "--file", "/dev/null")
    err = capsys.readouterr().err
    assert "accounts/" not in err
