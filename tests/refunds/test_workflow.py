"""The return workflow: request, authorize (RA + label, two emails), receive, refund, reject, expire."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_fsm_log.models import StateLog

from accounts.models import Fulfillment, Order
from plexus_office import clock
from plexus_office.platform.gateway import SandboxGateway
from plexus_office.platform.models import EmailOutbox, SandboxRefund
from refunds.models import Refund, RefundChannel, RefundStatus
from refunds.payments import RefundPaymentFailed, refund_pay
from refunds.services import (
    RefundRefused,
    refund_authorize,
    refund_mark_shipped,
    refund_receive,
    refund_receive_refused_shipment,
    refund_reject,
    refund_request,
    refunds_expire,
    refunds_from_refused_shipment,
    refunds_remind,
)
from tests.factories import OrderFactory, OrderLineFactory
from tests.refunds.conftest import paid_charge

pytestmark = pytest.mark.django_db


def request(member, order, slim, **kwargs):
    return refund_request(
        account=member,
        order=order,
        products=[slim],
        reason=kwargs.pop("reason", "money_back"),
        actor=member.user,
        **kwargs,
    )


def events(member):
    return list(EmailOutbox.objects.filter(account=member).order_by("id").values_list("event", flat=True))


def test_a_request_is_filed_with_the_quote_and_a_customer_service_deadline(member, order, slim):
    refund = request(member, order, slim)
    assert (refund.status, refund.amount, refund.deduction, refund.return_deadline) == (
        RefundStatus.REQUESTED,
        Decimal("83.95"),
        Decimal("6.00"),
        date(2026, 3, 20),
    )
    assert refund.due_on == date(2026, 3, 12)  # 2 business days after Tuesday 2026-03-10
    assert events(member) == ["refunds_requested"]


def test_an_ineligible_request_is_refused_and_files_nothing(member, order, slim):
    with clock.frozen_at(date(2026, 4, 3)):
        with pytest.raises(RefundRefused) as refused:
            request(member, order, slim)
    assert (refused.value.code, "ended on 2026-04-02" in refused.value.message) == ("window_expired", True)
    assert Refund.objects.count() == 0


def test_a_member_cannot_file_for_someone_elses_account(member, order, slim, cs_user):
    with pytest.raises(RefundRefused):
        refund_request(account=member, order=order, products=[slim], reason="money_back", actor=cs_user)
    assert Refund.objects.count() == 0


def test_customer_service_files_on_the_members_behalf(member, order, slim, cs_user):
    refund = refund_request(
        account=member,
        order=order,
        products=[slim],
        reason="satisfaction",
        actor=cs_user,
        channel=RefundChannel.CUSTOMER_SERVICE,
    )
    assert (refund.channel, refund.requested_by) == (RefundChannel.CUSTOMER_SERVICE, cs_user)


def test_authorizing_issues_the_ra_number_the_label_and_two_emails(member, order, slim, cs_user):
    refund = refund_authorize(refund=request(member, order, slim), actor=cs_user)
    assert (refund.status, refund.ra_number, refund.due_on) == (
        RefundStatus.AUTHORIZED,
        f"RA{refund.pk:08d}",
        date(2026, 3, 20),
    )
    assert refund.label_reference.startswith("PLXR")
    assert events(member) == ["refunds_requested", "refunds_authorized", "refunds_label"]
    log = StateLog.objects.get(object_id=refund.pk, transition="authorize")
    assert (log.by, log.source_state, log.state) == (cs_user, "requested", "authorized")


def test_the_package_is_refused_without_the_matching_ra_number(member, order, slim, cs_user, returns_user):
    refund = refund_authorize(refund=request(member, order, slim), actor=cs_user)
    with pytest.raises(RefundRefused) as refused:
        refund_receive(refund=refund, actor=returns_user, ra_number="RA99999999")
    assert refused.value.field == "ra_number"
    refund.refresh_from_db()
    assert (refund.status, refund.received_on) == (RefundStatus.AUTHORIZED, None)


def test_postage_paid_at_the_post_office_removes_the_deduction(member, order, slim, cs_user, returns_user):
    refund = refund_authorize(refund=request(member, order, slim), actor=cs_user)
    refund = refund_receive(
        refund=refund, actor=returns_user, ra_number=refund.ra_number, postage_paid_by_customer=True
    )
    assert (refund.status, refund.deduction, refund.amount, refund.received_on, refund.due_on) == (
        RefundStatus.RECEIVED,
        Decimal("0.00"),
        Decimal("89.95"),
        date(2026, 3, 10),
        date(2026, 3, 17),
    )


def test_finance_refunds_the_original_charge(member, order, slim, cs_user, returns_user, finance_user):
    refund = refund_authorize(refund=request(member, order, slim), actor=cs_user)
    refund_receive(refund=refund, actor=returns_user, ra_number=refund.ra_number)
    refund = refund_pay(refund=refund, actor=finance_user)
    paid = SandboxRefund.objects.get()
    assert (refund.status, refund.refunded_on, refund.gateway_refund_id) == (
        RefundStatus.REFUNDED,
        date(2026, 3, 10),
        paid.refund_id,
    )
    assert (paid.charge.charge_id, paid.amount, paid.idempotency_key) == (
        order.charge_id,
        Decimal("83.95"),
        f"plexus-refund-{refund.pk}",
    )
    assert events(member)[-1] == "refunds_refunded"


def test_a_gateway_failure_leaves_the_refund_retryable_and_the_retry_pays_once(
    member, order, slim, cs_user, returns_user, finance_user
):
    refund = refund_authorize(refund=request(member, order, slim), actor=cs_user)
    refund_receive(refund=refund, actor=returns_user, ra_number=refund.ra_number)
    SandboxGateway.inject_fault(operation="refund", kind="timeout_after_commit")
    with pytest.raises(RefundPaymentFailed):
        refund_pay(refund=refund, actor=finance_user)
    refund.refresh_from_db()
    assert (refund.status, "did not answer" in refund.gateway_error) == (RefundStatus.RECEIVED, True)
    refund = refund_pay(refund=refund, actor=finance_user)
    refund_pay(refund=refund, actor=finance_user)  # a double click
    assert (refund.status, refund.gateway_error, refund.payment_attempts) == (RefundStatus.REFUNDED, "", 2)
    assert SandboxRefund.objects.count() == 1
    assert StateLog.objects.get(object_id=refund.pk, state="refunded").transition == "retry"


def test_a_refund_cannot_be_paid_before_the_package_arrives(member, order, slim, cs_user, finance_user):
    refund = refund_authorize(refund=request(member, order, slim), actor=cs_user)
    with pytest.raises(RefundRefused):
        refund_pay(refund=refund, actor=finance_user)
    assert SandboxRefund.objects.count() == 0


def test_rejecting_needs_a_note_and_frees_the_product(member, order, slim, cs_user):
    refund = request(member, order, slim)
    with pytest.raises(RefundRefused):
        refund_reject(refund=refund, actor=cs_user, note="  ")
    refund.refresh_from_db()
    assert refund.status == RefundStatus.REQUESTED
    refund_reject(refund=refund, actor=cs_user, note="Product not from Plexus")
    assert events(member)[-1] == "refunds_rejected"
    assert request(member, order, slim).status == RefundStatus.REQUESTED


def test_store_pickup_skips_the_return_and_creates_a_shipping_order(member, slim, cs_user, finance_user):
    pickup = OrderFactory(
        ref="O-3",
        account=member,
        ordered_on=date(2026, 3, 5),
        fulfillment=Fulfillment.PICKUP,
        shipping=Decimal("0.00"),
        charge_id=paid_charge(Decimal("89.95"), "o3"),
    )
    OrderLineFactory(order=pickup, product=slim, unit_price=Decimal("89.95"), pv=60)
    refund = refund_authorize(refund=request(member, pickup, slim, reason="store_pickup"), actor=cs_user)
    assert (refund.label_reference, events(member)[-1]) == ("", "refunds_authorized")
    refund = refund_pay(refund=refund, actor=finance_user)
    replacement = Order.objects.get(pk=refund.replacement_order_id)
    assert (refund.status, refund.amount) == (RefundStatus.REFUNDED, Decimal("89.95"))
    assert (
        replacement.fulfillment,
        replacement.ordered_on,
        [(line.product.sku, line.qty) for line in replacement.lines.all()],
    ) == (Fulfillment.SHIP, date(2026, 3, 10), [("SLIM", 1)])


def test_a_refused_shipment_waits_for_the_warehouse_then_is_received_with_its_deduction(
    member, order, slim, returns_user
):
    refund = refunds_from_refused_shipment(order=order, products=[slim], actor=returns_user)
    waiting = (refund.status, refund.refused_shipment, refund.channel, refund.due_on, refund.label_reference)
    assert waiting == (RefundStatus.REQUESTED, True, RefundChannel.REFUSED_SHIPMENT, None, "")
    assert refund.ra_number == f"RA{refund.pk:08d}"
    back = refund_receive_refused_shipment(refund=refund, actor=returns_user)
    assert (back.status, back.amount, back.deduction, back.due_on) == (
        RefundStatus.RECEIVED,
        Decimal("83.95"),
        Decimal("6.00"),
        date(2026, 3, 17),  # 5 business days after Tuesday 2026-03-10
    )


def test_a_refused_shipment_marks_the_members_open_request_waiting(member, order, slim, returns_user):
    existing = request(member, order, slim)
    refund = refunds_from_refused_shipment(order=order, products=[slim], actor=returns_user)
    assert (refund.pk, refund.status, refund.refused_shipment, refund.return_deadline) == (
        existing.pk,
        RefundStatus.REQUESTED,
        True,
        None,
    )


def test_the_member_is_reminded_two_days_before_the_deadline_once(member, order, slim, cs_user):
    refund = refund_authorize(refund=request(member, order, slim), actor=cs_user)
    assert refunds_remind(as_of=date(2026, 3, 17)) == 0
    assert refunds_remind(as_of=date(2026, 3, 18)) == 1
    assert refunds_remind(as_of=date(2026, 3, 19)) == 0
    refund.refresh_from_db()
    assert (refund.reminder_sent_on, events(member).count("refunds_reminder")) == (date(2026, 3, 18), 1)


def test_an_unshipped_return_expires_the_day_after_its_deadline(member, order, slim, cs_user):
    refund = refund_authorize(refund=request(member, order, slim), actor=cs_user)
    assert refunds_expire(as_of=date(2026, 3, 20)) == 0
    assert refunds_expire(as_of=date(2026, 3, 21)) == 1
    assert refunds_expire(as_of=date(2026, 3, 21)) == 0
    refund.refresh_from_db()
    assert (refund.status, events(member)[-1]) == (RefundStatus.EXPIRED, "refunds_expired")


def test_a_return_the_member_reported_shipped_does_not_expire(member, order, slim, cs_user):
    refund = refund_authorize(refund=request(member, order, slim), actor=cs_user)
    refund_mark_shipped(refund=refund, actor=member.user, tracking_number="1Z999")
    assert refunds_expire(as_of=date(2026, 3, 10) + timedelta(days=30)) == 0


def test_each_group_sees_only_its_own_buttons(member, order, slim, cs_user, returns_user, finance_user):
    refund = request(member, order, slim)

    def names(user, obj):
        return sorted(t.name for t in obj.get_available_user_status_transitions(user=user))

    assert (names(cs_user, refund), names(returns_user, refund), names(finance_user, refund)) == (
        ["authorize", "reject"],
        ["receive_refused"],
        [],
    )
    refund = refund_authorize(refund=refund, actor=cs_user)
    assert names(returns_user, refund) == ["receive", "receive_refused"]
    refund = refund_receive(refund=refund, actor=returns_user, ra_number=refund.ra_number)
    assert (names(finance_user, refund), names(cs_user, refund)) == (["refund"], [])
