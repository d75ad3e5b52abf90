"""Refunds in Spanish and Canadian French: every member page (read, a form error, a refusal) and every
refunds email and inbox entry reads without English left; an email goes in its recipient's language."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import CommissionEntry, CommissionKind, CommissionStatus
from plexus_office.platform.models import EmailOutbox, InboxEntry
from refunds.models import Refund
from refunds.payments import refund_pay
from refunds.services import (
    refund_authorize,
    refund_receive,
    refund_receive_refused_shipment,
    refund_reject,
    refund_request,
    refunds_expire,
    refunds_from_refused_shipment,
    refunds_remind,
)
from tests.english import english_left
from tests.factories import (
    AmbassadorFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    RetailCustomerFactory,
    UserFactory,
    paid_charge,
)

pytestmark = pytest.mark.django_db
LANGUAGES = ["es", "fr-ca"]
# Free text Customer Service typed (a rejection reason, a note) is shown as written.
REJECTION_NOTE = "Opened after the guarantee window"
STAFF_NOTES = (REJECTION_NOTE, "Thank you for the quick request")
REFUND_EVENTS = {
    "refunds_requested",
    "refunds_authorized",
    "refunds_label",
    "refunds_reminder",
    "refunds_received",
    "refunds_refunded",
    "refunds_rejected",
    "refunds_expired",
    "refunds_bonus_reversed",
}


def bought(account, *skus: str, fulfillment: str = "ship", **order_fields):
    """An order of ``account`` with one line per SKU (29.95 and 60 PV each), paid with a real charge."""
    order = OrderFactory(
        ref=f"O-{skus[0]}",
        account=account,
        fulfillment=fulfillment,
        ordered_on=date(2026, 2, 1),
        **order_fields,
    )
    for sku in skus:
        product = ProductFactory(sku=sku, name=f"Plexus {sku.title()}", price=Decimal("29.95"), pv=60)
        OrderLineFactory(order=order, product=product)
    order.charge_id = paid_charge(Decimal("29.95") * len(skus), f"order-{order.ref}")
    order.save(update_fields=["charge_id"])
    return order


def ask(member, order, *, reason="money_back", return_method="prepaid_label", **kwargs):
    products = [line.product for line in order.lines.all()][:1]
    return refund_request(
        account=member,
        order=order,
        products=products,
        reason=reason,
        return_method=return_method,
        actor=member.user,
        **kwargs,
    )


@pytest.fixture(autouse=True)
def _site_language_after():
    # The test client leaves the last request's language active in this thread; later tests expect
    # the site's default (English), as a fresh request would.
    yield
    translation.deactivate()


@pytest.fixture(params=LANGUAGES)
def language(request):
    return request.param


@pytest.fixture
def refunds(language, member, cs_user, returns_user, finance_user):
    """One refund in every state a member can see, and the emails each step sends."""
    member.preferred_language = language
    member.save(update_fields=["preferred_language"])
    earner = AmbassadorFactory(number=1001, name="Ana Soto", preferred_language=language)
    made = {"requested": ask(member, bought(member, "WAIT"))}
    made["label"] = refund_authorize(refund=ask(member, bought(member, "LABEL")), actor=cs_user)
    post = ask(member, bought(member, "POST"), return_method="post_office")
    made["post_office"] = refund_authorize(refund=post, actor=cs_user, note=STAFF_NOTES[1])
    two = bought(member, "KEEP", "LOST")
    received = refund_request(
        account=member,
        order=two,
        products=[line.product for line in two.lines.all()],
        reason="satisfaction",
        return_method="post_office",
        actor=member.user,
    )
    received = refund_authorize(refund=received, actor=cs_user)
    lost = two.lines.get(product__sku="LOST").product
    made["received"] = refund_receive(
        refund=received,
        actor=returns_user,
        ra_number=received.ra_number,
        postage_paid_by_customer=True,
        missing=[lost],
    )
    paid_order = bought(member, "PAID", "STAY", subscription_order=True, perk_credits_earned=Decimal("10.00"))
    CommissionEntry.objects.create(
        earner=earner,
        kind=CommissionKind.VIP_CUSTOMER_BONUS,
        amount=Decimal("15.00"),
        order=paid_order,
        status=CommissionStatus.PAID,
        earned_on=date(2026, 2, 1),
        paid_on=date(2026, 2, 15),
    )
    paid = refund_authorize(refund=ask(member, paid_order), actor=cs_user)
    paid = refund_receive(refund=paid, actor=returns_user, ra_number=paid.ra_number)
    made["refunded"] = refund_pay(refund=paid, actor=finance_user)
    pickup_order = bought(member, "STORE", fulfillment="pickup")
    CommissionEntry.objects.create(
        earner=earner,
        kind=CommissionKind.BUSINESS_BUILDER_BONUS,
        amount=Decimal("5.00"),
        order=pickup_order,
        status=CommissionStatus.UNPAID,
        earned_on=date(2026, 2, 1),
    )
    pickup = refund_authorize(refund=ask(member, pickup_order, reason="store_pickup"), actor=cs_user)
    made["store_pickup"] = refund_pay(refund=pickup, actor=finance_user)
    made["rejected"] = refund_reject(
        refund=ask(member, bought(member, "NOPE")), actor=cs_user, note=REJECTION_NOTE
    )
    late = ask(member, bought(member, "LATE"), as_of=date(2026, 2, 20))  # due back 2026-03-02
    refund_authorize(refund=late, actor=cs_user)
    refunds_expire()
    made["expired"] = Refund.objects.get(pk=late.pk)
    refunds_remind(as_of=date(2026, 3, 18))  # two days before the 2026-03-20 deadlines
    refused = bought(member, "BOUNCE")
    made["refused_waiting"] = refunds_from_refused_shipment(
        order=refused, products=[refused.lines.get().product], actor=returns_user
    )
    refused_back = bought(member, "HOME")
    back = refunds_from_refused_shipment(
        order=refused_back, products=[refused_back.lines.get().product], actor=returns_user
    )
    made["refused_received"] = refund_receive_refused_shipment(refund=back, actor=returns_user)
    return made


def _main(page: str) -> str:
    """The page's own content (the layout around it is checked by the platform's tests)."""
    found = re.search(r"<main[^>]*>(.*)</main>", page, re.S)
    assert found is not None
    return found.group(1)


def test_every_refund_page_reads_without_english(client, member, refunds):
    client.force_login(member.user)
    left = {}
    for state, refund in refunds.items():
        page = client.get(f"/refunds/{refund.pk}/").content.decode()
        left[state] = english_left(_main(page), allow=(REJECTION_NOTE,))
    page = client.get(f"/refunds/{refunds['label'].pk}/label/").content.decode()
    left["label-page"] = english_left(page)
    home = client.get("/refunds/").content.decode()
    left["home"] = english_left(_main(home))
    dashboard = client.get("/").content.decode()
    panel = re.search(
        r'<section class="panel" aria-labelledby="refunds-panel-title">.*?</section>', dashboard, re.S
    )
    assert panel is not None
    left["dashboard-panel"] = english_left(panel.group(0))
    assert {name: found for name, found in left.items() if found} == {}


def test_the_quote_and_the_form_read_without_english(client, member, order, language):
    member.preferred_language = language
    member.save(update_fields=["preferred_language"])
    client.force_login(member.user)

    preselected = client.get("/refunds/?order=O-1&sku=SLIM")
    quoted = client.post(
        "/refunds/",
        {"order": "O-1", "products": ["SLIM"], "reason": "money_back", "return_method": "prepaid_label"},
    )

    assert (preselected.status_code, quoted.status_code) == (200, 200)
    assert english_left(_main(preselected.content.decode())) == []
    assert english_left(_main(quoted.content.decode())) == []
    assert "83,95" in quoted.content.decode()


def test_a_form_error_reads_without_english_and_nothing_is_filed(client, member, order, language):
    member.preferred_language = language
    member.save(update_fields=["preferred_language"])
    client.force_login(member.user)

    response = client.post(
        "/refunds/", {"order": "O-1", "return_method": "prepaid_label", "action": "submit"}
    )

    page = _main(response.content.decode())
    assert response.status_code == 400
    assert "data-error-summary" in page
    assert english_left(page) == []
    assert Refund.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "es",
            "La Garantía de devolución de dinero de 60 días del pedido O-1 del 5 de enero de 2026 terminó el "
            "6 de marzo de 2026.",
        ),
        (
            "fr-ca",
            "La garantie satisfait ou remboursé de 60 jours de la commande O-1 du 5 janvier 2026 a pris "
            "fin le 6 mars 2026.",
        ),
    ],
)
def test_a_refusal_gives_the_rule_and_its_dates_in_the_members_language(
    client, member, order, language, expected
):
    order.ordered_on = date(2026, 1, 5)  # the 60 days ran out on 2026-03-06; today is 2026-03-10
    order.save(update_fields=["ordered_on"])
    member.preferred_language = language
    member.save(update_fields=["preferred_language"])
    client.force_login(member.user)

    response = client.post(
        "/refunds/",
        {
            "order": "O-1",
            "products": ["SLIM"],
            "reason": "money_back",
            "return_method": "prepaid_label",
            "action": "submit",
        },
    )

    page = _main(response.content.decode())
    assert response.status_code == 400
    assert expected in page
    assert english_left(page) == []
    assert Refund.objects.count() == 0


def test_a_refused_shipment_report_reads_without_english(client, member, refunds):
    client.force_login(member.user)
    refund = refunds["label"]

    response = client.post(f"/refunds/{refund.pk}/", {"tracking_number": "1Z" * 31}, follow=True)

    page = _main(response.content.decode())
    assert english_left(page) == []
    assert Refund.objects.get(pk=refund.pk).shipped_on is None


def test_the_ambassadors_retail_refunds_read_without_english(client, language):
    ambassador = AmbassadorFactory(user=UserFactory(username="amb"), preferred_language=language)
    customer = RetailCustomerFactory(name="Rita Retail")
    sold = bought(customer, "SOLD", sold_by=ambassador)
    late = bought(customer, "OLD", sold_by=ambassador)
    late.ordered_on = date(2025, 12, 1)
    late.save(update_fields=["ordered_on"])
    client.force_login(ambassador.user)
    choice = {"reason": "money_back", "return_method": "prepaid_label", "action": "submit"}

    missing = client.post("/refunds/sales/", {"order": sold.ref, **choice})
    refused = client.post("/refunds/sales/", {"order": late.ref, "products": ["OLD"], **choice})
    filed = client.post("/refunds/sales/", {"order": sold.ref, "products": ["SOLD"], **choice}, follow=True)

    assert (missing.status_code, refused.status_code, filed.status_code) == (400, 400, 200)
    assert english_left(_main(missing.content.decode())) == []
    assert english_left(_main(refused.content.decode())) == []
    assert english_left(_main(filed.content.decode())) == []
    assert Refund.objects.filter(order=sold).count() == 1


def test_every_refund_email_and_inbox_entry_reads_without_english(refunds):
    emails = list(EmailOutbox.objects.filter(event__startswith="refunds_"))
    entries = list(InboxEntry.objects.filter(event__startswith="refunds_"))

    assert {email.event for email in emails} == REFUND_EVENTS
    left = []
    for email in emails:
        allow = STAFF_NOTES
        left += [(email.event, "subject", s) for s in english_left(email.subject, allow=allow, html=False)]
        left += [(email.event, "text", s) for s in english_left(email.body_text, allow=allow, html=False)]
        left += [(email.event, "html", s) for s in english_left(email.body_html, allow=allow)]
    for entry in entries:
        inbox = english_left(entry.title + "\n" + entry.body, allow=STAFF_NOTES, html=False)
        left += [(entry.event, "inbox", s) for s in inbox]
    assert left == []


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", "We received your refund request for Slim Microbiome Activation"),
        ("es", "Recibimos su solicitud de reembolso de Slim Microbiome Activation"),
        ("fr-ca", "Nous avons reçu votre demande de remboursement pour Slim Microbiome Activation"),
    ],
)
def test_a_refund_email_goes_in_the_recipients_language(client, member, order, language, subject):
    member.preferred_language = language
    member.save(update_fields=["preferred_language"])
    client.force_login(member.user)
    client.cookies["plexus_language"] = "en"  # the page is read in English; the email follows the account

    client.post(
        "/refunds/",
        {
            "order": "O-1",
            "products": ["SLIM"],
            "reason": "money_back",
            "return_method": "prepaid_label",
            "action": "submit",
        },
    )

    email = EmailOutbox.objects.get(event="refunds_requested")
    assert email.subject == subject
    assert f'lang="{language}"' in email.body_html


@pytest.mark.parametrize(
    ("language", "detail"),
    [("es", "código(s) desconocido(s): NOPE"), ("fr-ca", "code(s) inconnu(s) : NOPE")],
)
def test_an_api_refusal_reads_in_the_requested_language(member, order, language, detail):
    api = APIClient()
    api.force_authenticate(member.user)

    response = api.post(
        "/api/v1/refunds/quote/",
        {"order": "O-1", "skus": ["NOPE"], "reason": "money_back"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    expected = {"code": "skus", "detail": detail, "field": "skus"}
    assert (response.status_code, response.json()) == (400, expected)
