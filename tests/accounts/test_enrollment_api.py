"""``POST /api/v1/enrollments/``: anonymous enrollment, one account and one charge per key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Account, MembershipFeePayment, Order, SavedCard, Subscription
from plexus_office import clock
from plexus_office.platform.models import EmailOutbox, SandboxCharge
from tests.factories import AmbassadorFactory, ProductFactory, VipCustomerFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)
URL = "/api/v1/enrollments/"


@pytest.fixture(autouse=True)
def _today_and_fresh_throttle():
    cache.clear()
    with clock.frozen_at(TODAY):
        yield
    cache.clear()


@pytest.fixture
def slim():
    return ProductFactory(sku="SLIM", name="Slim", price=Decimal("89.95"), pv=60)


@pytest.fixture
def ann():
    return AmbassadorFactory(number=1001, name="Ann Leader", email="ann@example.com", mailing_city="Phoenix")


def body(**overrides):
    data = {
        "idempotency_key": "key-0000000000000001",
        "kind": "vip_customer",
        "sponsor": 1001,
        "name": "Vera Vip",
        "email": "vera@example.com",
        "password": "a-long-Secret-99",
        "phone": "(480) 555-0123",
        "mailing_street": "1 Main St",
        "mailing_city": "Scottsdale",
        "mailing_region": "AZ",
        "mailing_postal_code": "85251",
        "mailing_country": "US",
        "shipping_same_as_mailing": True,
        "lines": [{"sku": "SLIM", "qty": 1}],
        "subscribe": True,
        "card": {
            "number": "4242424242424242",
            "exp_month": 12,
            "exp_year": 2030,
            "cvv": "123",
            "holder_name": "Vera Vip",
            "postal_code": "85251",
        },
    }
    data.update(overrides)
    return data


def nothing_created(before: int) -> bool:
    return (
        Account.objects.count() == before
        and not User.objects.filter(email="vera@example.com").exists()
        and not Order.objects.exists()
        and not SandboxCharge.objects.exists()
    )


def test_a_vip_enrolls_with_a_sponsor_first_order_and_subscription(ann, slim):
    answer = APIClient().post(URL, body(), format="json")

    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert {k: data[k] for k in ("kind", "sponsor", "listed_under_2_on", "charged", "status")} == {
        "kind": "vip_customer",
        "sponsor": 1001,
        "listed_under_2_on": None,
        "charged": "97.90",
        "status": "active",
    }
    account = Account.objects.get(number=data["number"])
    assert account.user.username == str(account.number) and account.user.check_password("a-long-Secret-99")
    assert (account.phone, account.shipping_city, account.enrolled_on) == (
        "+14805550123",
        "Scottsdale",
        TODAY,
    )
    order = Order.objects.get(account=account)
    assert (order.ref, order.charge_id != "", order.shipping, order.lines.get().unit_price) == (
        data["order"],
        True,
        Decimal("7.95"),
        Decimal("89.95"),
    )
    card = SavedCard.objects.get(account=account)
    assert (card.brand, card.last4, card.is_default) == ("Visa", "4242", True)
    assert Subscription.objects.get(account=account).pv == 60
    assert SandboxCharge.objects.get().amount == Decimal("97.90")
    assert sorted(EmailOutbox.objects.values_list("to_email", flat=True)) == [
        "ann@example.com",
        "vera@example.com",
    ]


def test_an_ambassador_without_a_sponsor_pays_the_fee_and_is_a_lead(slim):
    answer = APIClient().post(
        URL, body(kind="ambassador", sponsor=None, lines=[], subscribe=False), format="json"
    )

    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert (data["sponsor"], data["listed_under_2_on"], data["membership_fee_due_on"], data["charged"]) == (
        2,
        "2026-03-10",
        "2027-03-10",
        "49.00",
    )
    fee = MembershipFeePayment.objects.get(account__number=data["number"])
    assert (fee.amount, fee.paid_on, fee.covers_until, fee.charge_id != "") == (
        Decimal("49.00"),
        TODAY,
        date(2027, 3, 10),
        True,
    )
    assert not Order.objects.exists()


def test_the_same_key_twice_gives_one_account_and_one_charge(ann, slim):
    client = APIClient()
    first = client.post(URL, body(), format="json")
    second = client.post(URL, body(), format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["number"] == second.json()["number"]
    assert Account.objects.filter(email="vera@example.com").count() == 1
    assert SandboxCharge.objects.count() == 1


def test_a_declined_card_creates_nothing(ann, slim):
    before = Account.objects.count()
    card = {**body()["card"], "number": "4000000000000341"}

    answer = APIClient().post(URL, body(card=card), format="json")

    assert answer.status_code == 400
    assert answer.json()["code"] == "card_declined" and answer.json()["field"] == "card"
    assert nothing_created(before)


def test_a_card_declined_when_tokenized_creates_nothing(ann, slim):
    before = Account.objects.count()
    card = {**body()["card"], "number": "4000000000000002"}

    answer = APIClient().post(URL, body(card=card), format="json")

    assert answer.status_code == 400
    assert "declined" in answer.json()["card"]["number"][0]
    assert nothing_created(before)


def test_a_gateway_timeout_creates_nothing(ann, slim):
    before = Account.objects.count()
    card = {**body()["card"], "number": "4000000000000119"}

    answer = APIClient().post(URL, body(card=card), format="json")

    assert answer.status_code == 400
    assert "did not answer in time" in answer.json()["card"]["number"][0]
    assert nothing_created(before)


def test_a_live_accounts_email_is_refused_before_the_card_is_charged(ann, slim):
    before = Account.objects.count()

    answer = APIClient().post(URL, body(email="ANN@example.com "), format="json")

    assert answer.status_code == 400
    assert answer.json() == {
        "code": "email_in_use",
        "detail": "email: ANN@example.com already belongs to a live account",
        "field": "email",
    }
    assert Account.objects.count() == before and not SandboxCharge.objects.exists()


def test_a_customer_cannot_be_the_sponsor(slim):
    VipCustomerFactory(number=3001)

    answer = APIClient().post(URL, body(sponsor=3001), format="json")

    assert (answer.status_code, answer.json()["code"]) == (400, "sponsor_not_eligible")


def test_bad_address_and_password_name_their_fields(ann, slim):
    before = Account.objects.count()

    answer = APIClient().post(
        URL, body(mailing_region="ZZ", mailing_postal_code="ABC", password="short"), format="json"
    )

    assert answer.status_code == 400
    assert set(answer.json()) == {"mailing_region", "mailing_postal_code", "password"}
    assert nothing_created(before)


def test_a_vip_must_order_something(ann, slim):
    answer = APIClient().post(URL, body(lines=[], subscribe=False), format="json")

    assert answer.status_code == 400
    assert list(answer.json()) == ["lines"]


def test_the_card_number_never_comes_back_or_is_stored(ann, slim):
    answer = APIClient().post(URL, body(), format="json")

    assert "4242424242424242" not in answer.content.decode()
    assert not SavedCard.objects.filter(token__contains="4242424242424242").exists()


def test_enrollments_are_throttled_per_address(settings, ann, slim):
    settings.ENROLLMENT_THROTTLE_RATE = "2/hour"
    client = APIClient()
    codes = [
        client.post(URL, body(idempotency_key=f"key-throttle-000000{i}"), format="json").status_code
        for i in range(3)
    ]

    assert codes[2] == 429


def test_the_endpoint_is_in_the_openapi_schema():
    schema = APIClient().get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/enrollments/"]["post"]
    assert {"201", "400", "429"} <= set(operation["responses"])
