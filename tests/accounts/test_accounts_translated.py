"""Account Services in Spanish and Canadian French: every member page (as shown, after a form error,
after a refusal) and every accounts email holds no English sentence left (``tests/english.py``), and
switching language changes the page and the next email."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from accounts.models import Account, CommissionEntry, CommissionKind, Order
from accounts.pay.services import pay_period_commit
from plexus_office import clock
from plexus_office.platform.models import EmailOutbox
from plexus_office.platform.rendering import render_event
from tests.accounts.billing_builders import gateway_card, products, subscriber
from tests.english import english_left
from tests.factories import (
    AmbassadorFactory,
    MembershipFeePaymentFactory,
    OrderFactory,
    OrderLineFactory,
    UserFactory,
    VipCustomerFactory,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["es", "fr-ca"]
# Product names, people's names (a card's holder) and the brand stay as they are.
ALLOW = (
    "Slim",
    "Lean",
    "Plexus Office",
    "Member ",
    "@example.com",
    "New Hampshire",
    "New Jersey",
    "New York",
)
# The dashboard also shows the Leads, Clearing and Refunds panels: those areas translate them.
OTHER_AREAS = (
    "Leads program",
    "rank",
    "personally enrolled since",
    "Clear requests",
    "clear requests",
    "Clear inactive members",
    "Refunds and returns",
    "Request a refund",
)


@pytest.fixture(autouse=True)
def _today():
    cache.clear()
    with clock.frozen_at(date(2026, 3, 10)):
        yield
    cache.clear()


def _member(language: str) -> Account:
    """An ambassador with a subscription, a card, an order with two lines and a paid statement."""
    account = subscriber(5001, username="ann", next_charge_on=date(2026, 3, 20), charge_day=20)
    Account.objects.filter(pk=account.pk).update(
        preferred_language=language, name="Ana Ejemplo", membership_fee_due_on=date(2026, 9, 1)
    )
    account.refresh_from_db()
    slim, lean = products()
    order = OrderFactory(account=account, ref="O-9001", ordered_on=date(2026, 3, 2), charge_id="ch_9001")
    OrderLineFactory(order=order, product=slim)
    OrderLineFactory(order=order, product=lean)
    MembershipFeePaymentFactory(account=account)
    return account


def _signed_in(language: str) -> tuple[Client, Account]:
    account = _member(language)
    client = Client()
    client.force_login(account.user)
    return client, account


def _statement_pk(account: Account) -> int:
    CommissionEntry.objects.create(
        earner=account,
        kind=CommissionKind.VIP_CUSTOMER_BONUS,
        amount=Decimal("1234.50"),
        order=Order.objects.get(ref="O-9001"),
        status="unpaid",
        earned_on=date(2026, 2, 12),
    )
    run = pay_period_commit(period=date(2026, 2, 1), actor=None, source="test", today=date(2026, 3, 10))
    return run.statements.get(earner=account).pk


def _english(response, *extra: str) -> list[str]:
    assert response.status_code in (200, 400, 404), response.status_code
    return english_left(response.content.decode(), allow=ALLOW + extra)


MEMBER_PAGES = [
    "/",
    "/inbox/",
    "/account/personal/",
    "/account/cards/",
    "/orders/",
    "/orders/O-9001/",
    "/autoship/",
    "/pay/",
    "/account/membership/",
    "/account/dropship/",
    "/tools/library/newsletter/",
    "/account/cancel/",
    "/account/email/confirm/some-token/",
    "/password/change/",
    "/password/change/done/",
    "/no-such-page/",
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_every_member_page_has_no_english_left(language, path):
    client, _ = _signed_in(language)
    assert _english(client.get(path, follow=True), *(OTHER_AREAS if path == "/" else ())) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_statement_page_has_no_english_left(language):
    client, account = _signed_in(language)
    pk = _statement_pk(account)
    assert _english(client.get(f"/pay/{pk}/")) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_vip_customer_dashboard_and_membership_page_have_no_english_left(language):
    account = VipCustomerFactory(user=UserFactory(username="vera"), preferred_language=language)
    gateway_card(account)
    client = Client()
    client.force_login(account.user)
    assert _english(client.get("/"), *OTHER_AREAS) + _english(client.get("/account/membership/")) == []


FORM_ERRORS = [
    ("/account/personal/", {"name": "", "mailing_country": "US", "mailing_postal_code": "ABC"}),
    ("/account/cards/add/", {"number": "1234", "exp_month": "13", "exp_year": "1990", "cvv": "1"}),
    ("/account/dropship/", {"qty": "0", "ship_to_country": "US"}),
    ("/account/cancel/", {"reason": "moving"}),
    ("/password/change/", {"old_password": "wrong", "new_password1": "a", "new_password2": "b"}),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("path", "data"), FORM_ERRORS, ids=[p for p, _ in FORM_ERRORS])
def test_a_form_error_is_shown_without_english_and_summarised(language, path, data):
    client, _ = _signed_in(language)
    response = client.post(path, data)
    body = response.content.decode()
    assert response.status_code in (200, 400)  # Django's own auth views answer an invalid form with 200
    assert "data-error-summary" in body
    assert english_left(body, allow=ALLOW) == []


REFUSALS = [
    ("/autoship/", {"action": "charge_day", "charge_day": "40"}),
    ("/autoship/", {"action": "items", "qty_999999": "2"}),
    ("/autoship/", {"action": "cancel"}),
    ("/account/membership/pay/", {"card": ""}),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("path", "data"), REFUSALS, ids=[f"{p}{d.get('action', '')}" for p, d in REFUSALS])
def test_a_refusal_is_shown_without_english(language, path, data):
    client, _ = _signed_in(language)
    response = client.post(path, data, follow=True)
    body = response.content.decode()
    assert 'class="error"' in body or "errorlist" in body
    assert english_left(body, allow=ALLOW) == []


def test_a_refusal_names_its_dates_in_the_members_language():
    client, _ = _signed_in("es")
    client.post("/autoship/", {"action": "skip"})
    body = client.post("/autoship/", {"action": "skip"}, follow=True).content.decode()
    assert "Ya omitió el pedido del 20/03/2026; solo se puede omitir un mes a la vez." in body


ANONYMOUS_PAGES = [
    "/login/",
    "/join/",
    "/password/reset/",
    "/password/reset/sent/",
    "/password/reset/MQ/bad-token/",
    "/no-such-page/",
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_every_anonymous_page_has_no_english_left(client, language, path):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert _english(client.get(path, follow=True), "English") == []


DETAILS = {
    "name": "Wendy Web",
    "email": "wendy@example.com",
    "password": "a-long-Secret-99",
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


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_enrollment_step_and_its_errors_have_no_english_left(client, language):
    slim, _ = products()
    AmbassadorFactory(number=1001, name="Sam Sponsor")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = [client.get("/join/", follow=True), client.post("/join/step/kind/", {})]
    client.post("/join/step/kind/", {"kind": "ambassador"})
    pages += [
        client.get("/join/step/sponsor/"),
        client.post("/join/step/sponsor/", {"sponsor_number": "999"}),
    ]
    pages.append(client.post("/join/step/sponsor/", {"sponsor_number": "1001", "action": "lookup"}))
    client.post("/join/step/sponsor/", {"sponsor_number": "1001", "action": "confirm"})
    pages += [
        client.get("/join/step/details/"),
        client.post("/join/step/details/", {**DETAILS, "mailing_region": "ZZ"}),
    ]
    client.post("/join/step/details/", DETAILS)
    pages += [
        client.get("/join/step/products/"),
        client.post("/join/step/products/", {f"qty_{slim.pk}": "99"}),
    ]
    client.post("/join/step/products/", {f"qty_{slim.pk}": "1", "subscribe": "on"})
    pages += [client.get("/join/step/card/"), client.post("/join/step/card/", {**CARD, "number": "1"})]
    client.post("/join/step/card/", CARD)
    pages.append(client.get("/join/step/review/"))
    pages.append(client.post("/join/step/review/", {}, follow=True))
    assert [piece for page in pages for piece in _english(page, "Sam Sponsor", "Wendy Web")] == []
    assert Account.objects.filter(email="wendy@example.com").count() == 1


def _email_contexts(account: Account) -> dict[str, dict]:
    order = {
        "ref": "O-9001",
        "ordered_on": "2026-03-02",
        "lines": [{"name": "Slim", "sku": "SLIM", "qty": 2, "price": "89.95", "total": "179.90"}],
        "pv": 120,
        "shipping": "7.95",
        "total": "187.85",
        "ship_to": "",
    }
    payment = MembershipFeePaymentFactory(account=account)
    summary = {
        "status_label": "",
        "next_charge_on": "2026-03-20",
        "charge_day": 20,
        "items": [{"qty": 1, "name": "Slim", "sku": "SLIM", "price": "89.95"}],
        "meaning": {"pv": 60, "leads_rule_met": False, "leads_min_pv": 100},
    }
    return {
        "accounts_autoship_changed": {"what": "", "summary": summary},
        "accounts_email_change_requested": {"new_email": "new@example.com", "valid_hours": 48},
        "accounts_email_changed": {"old_email": "old@example.com", "new_email": "new@example.com"},
        "accounts_email_confirm": {"new_email": "new@example.com", "valid_hours": 48, "confirm_link": "/x/"},
        "accounts_enrollment_sponsor": {},
        "accounts_enrollment_welcome": {"sponsor": None},
        "accounts_membership_cancelled": {"reason": ""},
        "accounts_membership_fee_overdue": {"due_on": date(2026, 3, 1), "fee": Decimal("99.00")},
        "accounts_membership_fee_receipt": {"payment": payment, "card": "Visa ••4242", "upgrade": True},
        "accounts_membership_fee_reminder": {"due_on": date(2026, 4, 1), "fee": Decimal("99.00")},
        "accounts_order_confirmation": {**order, "month_on": "2026-03-01"},
        "accounts_password_reset": {"username": "ann", "reset_link": "/reset/x/"},
        "accounts_pay_statement": {
            "period_on": "2026-02-01",
            "earnings": "1234.50",
            "reversals": "-30.00",
            "carried_in": "0.00",
            "net_paid": "1204.50",
            "carried_forward": "-5.00",
        },
        "accounts_subscription_declined": {
            "month_on": "2026-03-01",
            "amount": "139.90",
            "retry_on": "2026-03-13",
            "error": "",
        },
        "accounts_subscription_paused": {"month_on": "2026-03-01", "amount": "139.90", "error": ""},
    }


EVENTS = [
    "accounts_autoship_changed",
    "accounts_email_change_requested",
    "accounts_email_changed",
    "accounts_email_confirm",
    "accounts_enrollment_sponsor",
    "accounts_enrollment_welcome",
    "accounts_membership_cancelled",
    "accounts_membership_fee_overdue",
    "accounts_membership_fee_receipt",
    "accounts_membership_fee_reminder",
    "accounts_order_confirmation",
    "accounts_password_reset",
    "accounts_pay_statement",
    "accounts_subscription_declined",
    "accounts_subscription_paused",
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("event", EVENTS)
def test_every_accounts_email_and_inbox_summary_has_no_english_left(language, event):
    account = _member(language)
    context = {"recipient": account, "account": account, "link": "http://127.0.0.1:8000/orders/O-9001/"}
    rendered = render_event(event, {**context, **_email_contexts(account)[event]})
    links = ("http://", "/reset/", "/x/")  # the URLs themselves
    assert english_left(rendered.subject, html=False, allow=ALLOW) == []
    assert english_left(rendered.text, html=False, allow=ALLOW + links) == []
    assert english_left(rendered.html, allow=ALLOW) == []
    assert english_left(rendered.inbox, allow=ALLOW) == []
    assert f'lang="{language}"' in rendered.html


def test_switching_language_changes_the_page_and_the_next_email():
    client, account = _signed_in("en")
    assert "Cancel subscription" in client.get("/autoship/").content.decode()
    client.post("/language/", {"language": "fr-ca", "next": "/autoship/"})
    assert "Annuler l’abonnement" in client.get("/autoship/").content.decode()
    client.post("/autoship/", {"action": "pause"})
    email = EmailOutbox.objects.filter(event="accounts_autoship_changed").latest("pk")
    assert email.subject.startswith("Votre abonnement a été modifié : Abonnement suspendu : aucune commande")
    assert "Abonnement suspendu : aucune commande mensuelle" in email.body_text
