"""One return, one package: several products of one order make one refund with a line each, one RA
number, one label, one deduction; partial receipt per line; original payment checked at request time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from plexus_office import clock
from plexus_office.platform.models import EmailOutbox, SandboxRefund
from refunds.models import Refund, RefundLine, RefundStatus
from refunds.payments import refund_pay
from refunds.services import (
    RefundRefused,
    refund_authorize,
    refund_receive,
    refund_reject,
    refund_request,
)
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory
from tests.refunds.conftest import paid_charge

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(db):
    return ProductFactory(sku="ACTIVE", name="Active", price=Decimal("49.95"), pv=35)


@pytest.fixture
def box(member, slim, active):
    """Order O-2 of 2026-02-01: SLIM 89.95 and ACTIVE 2 × 49.95, shipping 9.95, paid by card."""
    made = OrderFactory(
        ref="O-2", account=member, ordered_on=date(2026, 2, 1), country="US", shipping=Decimal("9.95")
    )
    OrderLineFactory(order=made, product=slim, qty=1, unit_price=Decimal("89.95"), pv=60)
    OrderLineFactory(order=made, product=active, qty=2, unit_price=Decimal("49.95"), pv=35)
    made.charge_id = paid_charge(Decimal("199.80"), "order-O-2")
    made.save(update_fields=["charge_id"])
    return made


def file(member, order, *products, method="prepaid_label"):
    return refund_request(
        account=member,
        order=order,
        products=list(products),
        reason="money_back",
        return_method=method,
        actor=member.user,
    )


def events(member):
    return list(EmailOutbox.objects.filter(account=member).order_by("id").values_list("event", flat=True))


def test_two_products_of_one_order_make_one_refund_with_two_lines_and_one_deduction(
    member, box, slim, active
):
    refund = file(member, box, slim, active)
    assert (Refund.objects.count(), refund.gross, refund.deduction, refund.amount, refund.pv) == (
        1,
        Decimal("189.85"),
        Decimal("6.00"),
        Decimal("183.85"),
        130,
    )
    assert [(line.product.sku, line.qty, line.gross, line.position) for line in refund.lines.all()] == [
        ("SLIM", 1, Decimal("89.95"), 0),
        ("ACTIVE", 2, Decimal("99.90"), 1),
    ]
    assert events(member) == ["refunds_requested"]


def test_authorizing_a_two_product_return_issues_one_ra_one_label_and_two_emails(
    member, box, slim, active, cs_user
):
    refund = refund_authorize(refund=file(member, box, slim, active), actor=cs_user)
    assert (refund.ra_number, refund.label_reference.startswith("PLXR")) == (f"RA{refund.pk:08d}", True)
    assert events(member) == ["refunds_requested", "refunds_authorized", "refunds_label"]


def test_the_whole_package_is_received_and_paid_once_less_one_deduction(
    member, box, slim, active, cs_user, returns_user, finance_user
):
    refund = refund_authorize(refund=file(member, box, slim, active), actor=cs_user)
    refund = refund_receive(refund=refund, actor=returns_user, ra_number=refund.ra_number)
    refund = refund_pay(refund=refund, actor=finance_user)
    assert (refund.status, refund.amount) == (RefundStatus.REFUNDED, Decimal("183.85"))
    assert list(SandboxRefund.objects.values_list("amount", flat=True)) == [Decimal("183.85")]
    assert list(refund.lines.values_list("received", flat=True)) == [True, True]


def test_a_product_missing_from_the_box_is_recorded_on_its_line_and_not_refunded(
    member, box, slim, active, cs_user, returns_user
):
    refund = refund_authorize(refund=file(member, box, slim, active), actor=cs_user)
    refund = refund_receive(refund=refund, actor=returns_user, ra_number=refund.ra_number, missing=[active])
    assert (refund.gross, refund.deduction, refund.amount, refund.pv) == (
        Decimal("89.95"),
        Decimal("6.00"),
        Decimal("83.95"),
        60,
    )
    assert list(refund.lines.values_list("product__sku", "received", "counts")) == [
        ("SLIM", True, True),
        ("ACTIVE", False, False),
    ]


def test_a_missing_product_may_be_requested_again_later(member, box, slim, active, cs_user, returns_user):
    refund = refund_authorize(refund=file(member, box, slim, active), actor=cs_user)
    refund_receive(refund=refund, actor=returns_user, ra_number=refund.ra_number, missing=[active])
    again = file(member, box, active)
    assert [line.product.sku for line in again.lines.all()] == ["ACTIVE"]


def test_every_product_missing_is_refused_and_changes_nothing(
    member, box, slim, active, cs_user, returns_user
):
    refund = refund_authorize(refund=file(member, box, slim, active), actor=cs_user)
    with pytest.raises(RefundRefused) as refused:
        refund_receive(refund=refund, actor=returns_user, ra_number=refund.ra_number, missing=[slim, active])
    assert refused.value.field == "missing"
    refund.refresh_from_db()
    assert (refund.status, list(refund.lines.values_list("received", flat=True))) == (
        RefundStatus.AUTHORIZED,
        [None, None],
    )


def test_a_request_sharing_a_product_with_an_open_return_is_refused_and_files_nothing(
    member, box, slim, active
):
    file(member, box, slim)
    with pytest.raises(RefundRefused) as refused:
        file(member, box, active, slim)
    assert (refused.value.code, "2026-03-10" in refused.value.message) == ("already_refunded", True)
    assert (Refund.objects.count(), RefundLine.objects.count()) == (1, 1)


def test_naming_a_product_twice_is_refused(member, box, slim):
    with pytest.raises(RefundRefused) as refused:
        file(member, box, slim, slim)
    assert refused.value.field == "products"
    assert Refund.objects.count() == 0


def test_rejecting_a_return_frees_all_its_products(member, box, slim, active, cs_user):
    refund_reject(refund=file(member, box, slim, active), actor=cs_user, note="no receipt")
    assert list(RefundLine.objects.values_list("counts", flat=True)) == [False, False]
    assert file(member, box, active, slim).status == RefundStatus.REQUESTED


def test_no_request_is_accepted_for_an_order_without_an_original_payment(member, box, slim, active):
    box.charge_id = ""
    box.save(update_fields=["charge_id"])
    with pytest.raises(RefundRefused) as refused:
        file(member, box, slim, active)
    assert (refused.value.code, refused.value.field) == ("no_original_payment", "order")
    assert "contact Customer Service" in refused.value.message
    assert (Refund.objects.count(), RefundLine.objects.count(), events(member)) == (0, 0, [])


def test_a_post_office_return_gets_the_ra_and_mailing_instructions_but_no_label(
    member, box, slim, active, cs_user, returns_user
):
    refund = refund_authorize(refund=file(member, box, slim, active, method="post_office"), actor=cs_user)
    assert (refund.ra_number, refund.label_reference, refund.deduction) == (
        f"RA{refund.pk:08d}",
        "",
        Decimal("0.00"),
    )
    assert events(member) == ["refunds_requested", "refunds_authorized"]
    mail = EmailOutbox.objects.get(event="refunds_authorized")
    assert "post office" in mail.body_text and "prepaid return label" not in mail.body_text
    refund = refund_receive(refund=refund, actor=returns_user, ra_number=refund.ra_number)
    assert (refund.deduction, refund.amount, refund.postage_paid_by_customer) == (
        Decimal("0.00"),
        Decimal("189.85"),
        True,
    )


def test_finance_is_due_five_business_days_after_receipt_and_overdue_after(
    member, box, slim, cs_user, returns_user
):
    refund = refund_authorize(refund=file(member, box, slim), actor=cs_user)
    with clock.frozen_at(date(2026, 3, 13)):  # a Friday
        refund = refund_receive(refund=refund, actor=returns_user, ra_number=refund.ra_number)
    assert refund.due_on == date(2026, 3, 20)  # Mon 16 .. Fri 20
    with clock.frozen_at(date(2026, 3, 20)):
        assert refund.is_overdue is False
    with clock.frozen_at(date(2026, 3, 23)):
        assert refund.is_overdue is True
