"""The enrollment wizard through Django's test client: steps in order, sponsor lookup, honeypot,
throttle, and a double submit of the last step (one account, one charge)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Account
from plexus_office.platform.models import SandboxCharge
from tests.factories import AmbassadorFactory, ProductFactory, VipCustomerFactory

pytestmark = pytest.mark.django_db

DETAILS = {
    "name": "Wendy Web",
    "email": "wendy@example.com",
    "password": "a-long-Secret-99",
    "phone": "",
    "mailing_street": "1 Main St",
    "mailing_city": "Scottsdale",
    "mailing_region": "AZ",
    "mailing_postal_code": "85251",
    "mailing_country": "US",
    "shipping_same_as_mailing": "on",
    "shipping_country": "US",
    "website": "",
}
CARD = {
    "number": "4242424242424242",
    "exp_month": "12",
    "exp_year": "2031",
    "cvv": "123",
    "holder_name": "Wendy Web",
    "postal_code": "85251",
}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def slim():
    return ProductFactory(sku="SLIM", price=Decimal("89.95"), pv=60)


def step(client: Client, name: str, data: dict | None = None):
    url = f"/join/step/{name}/"
    return client.post(url, data) if data is not None else client.get(url)


def walk_to_review(
    client: Client, slim, *, sponsor: str | None = "1001", email: str = "wendy@example.com"
) -> None:
    client.get("/join/")
    assert step(client, "kind", {"kind": "vip_customer"}).status_code == 302
    if sponsor:
        assert step(client, "sponsor", {"sponsor_number": sponsor, "action": "confirm"}).status_code == 302
    else:
        assert step(client, "sponsor", {"action": "none"}).status_code == 302
    assert step(client, "details", {**DETAILS, "email": email}).status_code == 302
    assert step(client, "products", {f"qty_{slim.pk}": "1", "subscribe": "on"}).status_code == 302
    assert step(client, "card", CARD).status_code == 302


def test_a_later_step_asked_too_early_goes_back_to_the_first_missing_one():
    client = Client()
    client.get("/join/")

    answer = step(client, "card")

    assert answer.status_code == 302 and answer["Location"] == "/join/step/kind/"


def test_the_sponsor_is_shown_by_name_and_city_before_confirming():
    AmbassadorFactory(number=1001, name="Ann Leader", mailing_city="Phoenix")
    client = Client()
    client.get("/join/")
    step(client, "kind", {"kind": "vip_customer"})

    page = step(client, "sponsor", {"sponsor_number": "1001", "action": "lookup"}).content.decode()

    assert "Ann Leader</strong>, Phoenix" in page and "Yes, this is my sponsor" in page


@pytest.mark.parametrize(
    ("number", "message"),
    [("999", "There is no account 999."), ("3001", "Account 3001 cannot sponsor new members")],
)
def test_an_unknown_or_ineligible_sponsor_is_named_on_the_field(number, message):
    VipCustomerFactory(number=3001)
    client = Client()
    client.get("/join/")
    step(client, "kind", {"kind": "vip_customer"})

    answer = step(client, "sponsor", {"sponsor_number": number, "action": "confirm"})

    assert answer.status_code == 400 and message in answer.content.decode()


def test_a_live_accounts_email_is_refused_on_the_details_step():
    AmbassadorFactory(email="wendy@example.com")
    client = Client()
    client.get("/join/")
    step(client, "kind", {"kind": "ambassador"})
    step(client, "sponsor", {"action": "none"})

    answer = step(client, "details", DETAILS)

    assert answer.status_code == 400 and "belongs to a live account" in answer.content.decode()


def test_a_filled_honeypot_keeps_nothing():
    client = Client()
    client.get("/join/")
    step(client, "kind", {"kind": "ambassador"})
    step(client, "sponsor", {"action": "none"})

    answer = step(client, "details", {**DETAILS, "website": "http://spam.example"})

    assert answer.status_code == 400
    assert "enrollment" not in client.session


def test_the_card_number_never_reaches_the_session(slim):
    AmbassadorFactory(number=1001)
    client = Client()
    walk_to_review(client, slim)

    assert "4242424242424242" not in str(dict(client.session))
    assert "a-long-Secret-99" not in str(dict(client.session))


def test_a_double_submit_of_the_last_step_gives_one_account_and_one_charge(slim):
    AmbassadorFactory(number=1001)
    client = Client()
    walk_to_review(client, slim)
    session_key_state = dict(client.session["enrollment"])

    first = step(client, "review", {})
    # The second click arrives with the same wizard state (the browser sent it before the redirect).
    session = client.session
    session["enrollment"] = session_key_state
    session.save()
    second = step(client, "review", {})

    assert first["Location"] == second["Location"] == "/join/done/"
    assert Account.objects.filter(email="wendy@example.com").count() == 1
    assert SandboxCharge.objects.count() == 1
    assert client.get("/join/done/").status_code == 200


def test_the_last_step_is_throttled_per_address(settings, slim):
    settings.ENROLLMENT_THROTTLE_RATE = "1/hour"
    client = Client()
    walk_to_review(client, slim, sponsor=None)
    step(client, "review", {})
    walk_to_review(client, slim, sponsor=None, email="second@example.com")

    answer = step(client, "review", {})

    assert answer.status_code == 429
