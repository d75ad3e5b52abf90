"""The payment gateway times out on a refund after it has made it, then Finance retries: one payment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plexus_office.platform.gateway import SandboxGateway
from plexus_office.platform.models import SandboxRefund
from refunds.models import RefundStatus
from refunds.payments import RefundPaymentFailed, refund_pay
from refunds.services import refund_authorize, refund_receive, refund_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("refunds_today")]


def _received_refund(member, order, slim, cs_user, returns_user):
    refund = refund_request(
        account=member, order=order, products=[slim], reason="money_back", actor=member.user
    )
    refund = refund_authorize(refund=refund, actor=cs_user)
    return refund_receive(refund=refund, actor=returns_user, ra_number=refund.ra_number)


def test_a_refund_the_gateway_made_but_answered_with_a_timeout_is_paid_once_on_retry(
    member,
    order,
    slim,
    cs_user,
    returns_user,
    finance_user,
):
    refund = _received_refund(member, order, slim, cs_user, returns_user)
    SandboxGateway.inject_fault(operation="refund", kind="timeout_after_commit")

    with pytest.raises(RefundPaymentFailed):
        refund_pay(refund=refund, actor=finance_user)
    refund.refresh_from_db()
    # The money moved at the gateway, but we do not know it: the refund stays payable, not claimed.
    assert (refund.status, refund.gateway_refund_id, refund.payment_started_at) == (
        RefundStatus.RECEIVED,
        "",
        None,
    )
    assert SandboxRefund.objects.count() == 1

    refund = refund_pay(refund=refund, actor=finance_user)

    made = SandboxRefund.objects.get()
    assert (refund.status, refund.gateway_refund_id, refund.payment_attempts) == (
        RefundStatus.REFUNDED,
        made.refund_id,
        2,
    )
    assert (made.amount, made.idempotency_key, made.charge.charge_id) == (
        refund.amount,
        f"plexus-refund-{refund.pk}",
        order.charge_id,
    )
    assert refund.amount == Decimal("83.95")
