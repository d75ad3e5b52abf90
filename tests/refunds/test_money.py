"""Money effects of a refund: PV, perks, bonus reversal, and the ledger offset at the next payout."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import CommissionEntry, CommissionKind, CommissionStatus, PerkCredit
from plexus_office.platform.models import EmailOutbox
from refunds.ledger import payout_run
from refunds.models import BonusReversal
from refunds.payments import refund_pay
from refunds.selectors import month_pv
from refunds.services import refund_authorize, refund_receive, refund_request
from tests.factories import AmbassadorFactory, OrderLineFactory, ProductFactory

pytestmark = pytest.mark.django_db


def refunded(member, order, product, cs_user, returns_user, finance_user):
    refund = refund_request(
        account=member, order=order, products=[product], reason="money_back", actor=member.user
    )
    refund = refund_authorize(refund=refund, actor=cs_user)
    refund_receive(refund=refund, actor=returns_user, ra_number=refund.ra_number)
    return refund_pay(refund=refund, actor=finance_user)


def bonus(earner, order, amount, status=CommissionStatus.UNPAID, kind=CommissionKind.VIP_CUSTOMER_BONUS):
    return CommissionEntry.objects.create(
        earner=earner,
        kind=kind,
        amount=Decimal(amount),
        order=order,
        status=status,
        earned_on=date(2026, 2, 1),
        paid_on=date(2026, 2, 15) if status == CommissionStatus.PAID else None,
    )


def test_refunded_pv_leaves_the_order_months_total(member, order, slim, cs_user, returns_user, finance_user):
    lean = ProductFactory(sku="LEAN", price=Decimal("59.95"), pv=40)
    OrderLineFactory(order=order, product=lean, unit_price=Decimal("59.95"), pv=40)
    assert month_pv(account=member, month=date(2026, 2, 1)) == 100
    refunded(member, order, slim, cs_user, returns_user, finance_user)
    assert month_pv(account=member, month=date(2026, 2, 1)) == 40


def test_perks_are_deducted_when_the_subscription_order_falls_below_its_threshold(
    member, order, slim, cs_user, returns_user, finance_user
):
    lean = ProductFactory(sku="LEAN", price=Decimal("59.95"), pv=40)
    OrderLineFactory(order=order, product=lean, unit_price=Decimal("59.95"), pv=40)
    order.subscription_order = True
    order.perk_credits_earned = Decimal("10.00")  # 100 PV reached the first threshold
    order.save()
    refunded(member, order, lean, cs_user, returns_user, finance_user)
    deduction = PerkCredit.objects.get(order=order)
    assert (deduction.amount, deduction.account, deduction.created_on) == (
        Decimal("-10.00"),
        member,
        date(2026, 3, 10),
    )


def test_perks_stay_when_the_order_still_reaches_its_threshold(
    member, order, slim, cs_user, returns_user, finance_user
):
    lean = ProductFactory(sku="LEAN", price=Decimal("59.95"), pv=40)
    OrderLineFactory(order=order, product=lean, unit_price=Decimal("59.95"), pv=40, qty=3)  # 60 + 120 PV
    order.subscription_order = True
    order.perk_credits_earned = Decimal("10.00")
    order.save()
    refunded(member, order, slim, cs_user, returns_user, finance_user)  # 120 PV left: still >= 100
    assert PerkCredit.objects.filter(order=order).count() == 0


def test_an_unpaid_bonus_is_cancelled(member, order, slim, cs_user, returns_user, finance_user):
    earner = AmbassadorFactory(number=1001)
    entry = bonus(earner, order, "15.00")
    refund = refunded(member, order, slim, cs_user, returns_user, finance_user)
    entry.refresh_from_db()
    reversal = BonusReversal.objects.get()
    assert entry.status == CommissionStatus.CANCELLED
    assert (reversal.refund, reversal.cancelled, reversal.amount, reversal.adjustment) == (
        refund,
        True,
        Decimal("15.00"),
        None,
    )
    assert EmailOutbox.objects.filter(account=earner, event="refunds_bonus_reversed").count() == 1


def test_a_paid_bonus_becomes_a_negative_adjustment_linked_to_the_refund(
    member, order, slim, cs_user, returns_user, finance_user
):
    earner = AmbassadorFactory(number=1001)
    entry = bonus(
        earner, order, "25.00", status=CommissionStatus.PAID, kind=CommissionKind.BUSINESS_BUILDER_BONUS
    )
    refund = refunded(member, order, slim, cs_user, returns_user, finance_user)
    reversal = BonusReversal.objects.select_related("adjustment").get()
    adjustment = reversal.adjustment
    assert (
        adjustment.earner,
        adjustment.kind,
        adjustment.amount,
        adjustment.status,
        adjustment.reverses,
    ) == (earner, CommissionKind.ADJUSTMENT, Decimal("-25.00"), CommissionStatus.UNPAID, entry)
    assert (reversal.refund, f"Refund #{refund.pk}" in adjustment.note) == (refund, True)


def test_the_next_payout_offsets_the_negative_adjustment(
    member, order, slim, cs_user, returns_user, finance_user
):
    earner = AmbassadorFactory(number=1001)
    bonus(earner, order, "25.00", status=CommissionStatus.PAID)
    refunded(member, order, slim, cs_user, returns_user, finance_user)
    commission = CommissionEntry.objects.create(
        earner=earner,
        kind=CommissionKind.COMMISSION,
        amount=Decimal("40.00"),
        status=CommissionStatus.UNPAID,
        earned_on=date(2026, 3, 10),
    )
    payout = payout_run(earner=earner, actor=finance_user, on=date(2026, 3, 15))
    assert (payout.earnings, payout.offsets, payout.net, payout.carried_forward) == (
        Decimal("40.00"),
        Decimal("-25.00"),
        Decimal("15.00"),
        None,
    )
    commission.refresh_from_db()
    assert CommissionEntry.objects.filter(earner=earner, status=CommissionStatus.UNPAID).count() == 0
    assert (commission.status, commission.paid_on) == (CommissionStatus.PAID, date(2026, 3, 15))


def test_a_payout_smaller_than_the_adjustment_carries_the_rest_forward(
    member, order, slim, cs_user, returns_user, finance_user
):
    earner = AmbassadorFactory(number=1001)
    bonus(earner, order, "25.00", status=CommissionStatus.PAID)
    refunded(member, order, slim, cs_user, returns_user, finance_user)
    CommissionEntry.objects.create(
        earner=earner,
        kind=CommissionKind.COMMISSION,
        amount=Decimal("10.00"),
        status=CommissionStatus.UNPAID,
        earned_on=date(2026, 3, 10),
    )
    first = payout_run(earner=earner, actor=finance_user, on=date(2026, 3, 15))
    assert (first.net, first.carried_forward.amount, first.carried_forward.status) == (
        Decimal("0.00"),
        Decimal("-15.00"),
        CommissionStatus.UNPAID,
    )
    CommissionEntry.objects.create(
        earner=earner,
        kind=CommissionKind.COMMISSION,
        amount=Decimal("50.00"),
        status=CommissionStatus.UNPAID,
        earned_on=date(2026, 4, 1),
    )
    second = payout_run(earner=earner, actor=finance_user, on=date(2026, 4, 15))
    assert (second.net, second.carried_forward) == (Decimal("35.00"), None)
