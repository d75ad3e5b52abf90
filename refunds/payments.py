"""Finance pays a refund to the original payment method, and the money effects follow.

The gateway is outside our transaction, so the order of work is what keeps it whole:
1. lock the row and check it is payable (commit: nothing changes but the attempt counter);
2. call ``gateway.refund`` with a key derived from the refund id, outside ``atomic()``; a retry or a
   double click sends the same key and the gateway answers with the same refund, so it pays once;
3. on success, in one transaction: the transition, the gateway id, PV, perks, bonus reversals, the
   replacement order for a store pick-up mistake, and the emails. On failure the error is stored on
   the row, which stays payable (the "Retry the refund" button), and nothing else changes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum

from accounts.models import (
    CommissionEntry,
    CommissionKind,
    CommissionStatus,
    Fulfillment,
    Order,
    OrderLine,
    PerkCredit,
)
from plexus_office import clock
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.gateway import GatewayError, get_gateway
from plexus_office.platform.money import ZERO
from plexus_office.platform.notifications import notify
from refunds.models import BonusReversal, Refund, RefundStatus
from refunds.services import RefundRefused, _locked, _tell, _user

CENT = Decimal("0.01")
PAYMENT_CLAIM_TIMEOUT = timedelta(minutes=5)


class RefundPaymentFailed(RefundRefused):
    """The gateway refused or failed; the refund stays payable and shows the error."""


def refund_pay(*, refund: Refund, actor: Any, note: str = "") -> Refund:
    """Pay ``refund`` back to the order's original charge; idempotent (see the module docstring)."""
    with transaction.atomic():
        locked = _locked(refund)
        if locked.status == RefundStatus.REFUNDED:
            return locked  # a double click or a retried task: already paid, pay nothing more
        if not locked.ready_to_pay():
            raise RefundRefused(
                "wrong_status",
                f"refund #{locked.pk} is {locked.status}; the package must be received "
                "first (a store pick-up correction only needs authorizing)",
                field="status",
            )
        charge_id = locked.order.charge_id
        if not charge_id:
            # Original payment method only, no exceptions (refunds.txt).
            raise RefundRefused(
                "order",
                f"order {locked.order.ref} has no original payment on file; "
                "refunds go only to the original payment method",
                field="order",
            )
        now = clock.now()
        # The claim: one gateway call per refund at a time; a claim older than the limit was a crash.
        free = Q(payment_started_at__isnull=True) | Q(payment_started_at__lt=now - PAYMENT_CLAIM_TIMEOUT)
        if not Refund.objects.filter(free, pk=locked.pk).update(
            payment_attempts=F("payment_attempts") + 1, payment_started_at=now, version=F("version") + 1
        ):
            raise RefundRefused(
                "wrong_status",
                f"refund #{locked.pk} is being paid right now; reload in a moment",
                field="status",
            )
        amount = locked.amount

    gateway_refund_id = ""
    if amount > ZERO:
        try:
            result = get_gateway().refund(
                charge_id=charge_id, amount=amount, idempotency_key=locked.idempotency_key
            )
        except GatewayError as err:
            message = str(err)[:300]
            with transaction.atomic():
                Refund.objects.filter(pk=locked.pk, status=locked.status).update(
                    gateway_error=message, payment_started_at=None, version=F("version") + 1
                )
                audit_record(actor=_user(actor), obj=locked, action=AuditAction.REFUND_FAILED, note=message)
            raise RefundPaymentFailed("gateway", f"{message} The refund was not paid; retry it.") from err
        gateway_refund_id = result.id

    with transaction.atomic():
        locked = _locked(refund)
        if locked.status == RefundStatus.REFUNDED:
            return locked
        move = locked.retry if locked.gateway_error else locked.refund
        move(by=actor, description=(note or "").strip() or None)
        today = clock.today()
        locked.gateway_refund_id = gateway_refund_id
        locked.gateway_error = ""
        locked.payment_started_at = None
        locked.refunded_on = today
        locked.due_on = None
        locked.record_decision(actor=_user(actor), note=note)
        locked.save()
        perks = perks_adjust(refund=locked, today=today)
        reversals = bonuses_reverse(refund=locked, today=today)
        if locked.skips_return:
            replacement_order_create(refund=locked, today=today)
        _tell(locked, "refunds_refunded", perks_deducted=perks, reversals=reversals)
    return locked


# --- perks -----------------------------------------------------------------------------------------


def perk_credit_for(pv: int) -> Decimal:
    """The Perk Credit a subscription order of ``pv`` earns: the highest threshold it reaches."""
    credit = ZERO
    for threshold, amount in sorted(settings.PERK_CREDIT_THRESHOLDS):
        if pv >= threshold:
            credit = Decimal(amount)
    return credit


def perks_adjust(*, refund: Refund, today: date) -> Decimal:
    """Deduct the perk credit a qualifying subscription order no longer earns once its PV drops.

    The order keeps the credit of the threshold its remaining PV still reaches; earlier deductions
    for the same order are counted, so two partial refunds never deduct twice.
    """
    order = refund.order
    if not order.subscription_order:
        return ZERO
    earned_rows = PerkCredit.objects.filter(order=order, amount__gt=0).aggregate(t=Sum("amount"))["t"] or ZERO
    earned = max(order.perk_credits_earned, earned_rows)
    if earned <= ZERO:
        return ZERO
    original_pv = OrderLine.objects.filter(order=order).aggregate(t=Sum(F("pv") * F("qty")))["t"] or 0
    refunded_pv = (
        Refund.objects.filter(order=order, status=RefundStatus.REFUNDED).aggregate(t=Sum("pv"))["t"] or 0
    )
    still_earned = min(perk_credit_for(int(original_pv) - int(refunded_pv)), earned)
    deducted = -(PerkCredit.objects.filter(order=order, amount__lt=0).aggregate(t=Sum("amount"))["t"] or ZERO)
    deduct = earned - still_earned - deducted
    if deduct <= ZERO:
        return ZERO
    PerkCredit.objects.create(
        account=order.account,
        order=order,
        amount=-deduct,
        created_on=today,
        note=f"Refund #{refund.pk}: order {order.ref} PV fell to {int(original_pv) - int(refunded_pv)}",
    )
    return deduct


# --- bonuses ---------------------------------------------------------------------------------------


def _refunded_share(order: Order) -> Decimal:
    """How much of the order's merchandise has been refunded (0..1), counting every refund so far."""
    total = OrderLine.objects.filter(order=order).aggregate(t=Sum(F("unit_price") * F("qty")))["t"] or ZERO
    refunded = (
        Refund.objects.filter(order=order, status=RefundStatus.REFUNDED).aggregate(t=Sum("gross"))["t"]
        or ZERO
    )
    if total <= ZERO:
        return Decimal(1)
    return min(Decimal(refunded) / Decimal(total), Decimal(1))


def bonuses_reverse(*, refund: Refund, today: date) -> list[BonusReversal]:
    """Reverse the bonuses the order earned, in proportion to the merchandise refunded so far.

    Unpaid and wholly reversed: cancelled. Paid (or a partial share of an unpaid one): a negative
    adjustment in the earner's ledger, linked to the refund, offset against their next payout.
    Each earner is told.
    """
    order = refund.order
    share = _refunded_share(order)
    entries = list(
        CommissionEntry.objects.select_for_update()
        .filter(order=order)
        .exclude(kind=CommissionKind.ADJUSTMENT)
        .exclude(status=CommissionStatus.CANCELLED)
        .select_related("earner")
    )
    done: list[BonusReversal] = []
    by_earner: dict[int, list[BonusReversal]] = defaultdict(list)
    for entry in entries:
        target = (entry.amount * share).quantize(CENT, rounding=ROUND_HALF_UP)
        already = entry.refund_reversals.aggregate(t=Sum("amount"))["t"] or ZERO
        delta = target - already
        if delta <= ZERO:
            continue
        label = entry.get_kind_display()
        if entry.status == CommissionStatus.UNPAID and share == 1 and already == ZERO:
            CommissionEntry.objects.filter(pk=entry.pk, status=CommissionStatus.UNPAID).update(
                status=CommissionStatus.CANCELLED,
                note=f"Cancelled: refund #{refund.pk} of order {order.ref}"[:300],
            )
            reversal = BonusReversal.objects.create(
                refund=refund, original=entry, amount=delta, cancelled=True
            )
        else:
            adjustment = CommissionEntry.objects.create(
                earner=entry.earner,
                kind=CommissionKind.ADJUSTMENT,
                amount=-delta,
                order=order,
                status=CommissionStatus.UNPAID,
                earned_on=today,
                reverses=entry,
                note=f"Refund #{refund.pk} of order {order.ref}: {label} reversed"[:300],
            )
            reversal = BonusReversal.objects.create(
                refund=refund, original=entry, adjustment=adjustment, amount=delta
            )
        audit_record(
            actor=None,
            obj=entry,
            action=AuditAction.BONUS_REVERSED,
            note=f"refund #{refund.pk}",
            changes={"reversed": (str(already), str(target))},
        )
        done.append(reversal)
        by_earner[entry.earner_id].append(reversal)
    for reversals in by_earner.values():
        earner = reversals[0].original.earner
        notify(
            recipient=earner,
            event="refunds_bonus_reversed",
            context={"refund": refund, "order": order, "reversals": reversals},
            key=f"refunds_bonus_reversed:{refund.pk}:{earner.pk}",
        )
    return done


# --- store pick-up mistakes ------------------------------------------------------------------------


def replacement_order_create(*, refund: Refund, today: date) -> Order:
    """A new shipping order for the refunded pick-up lines (one per pick-up order, grown per return)."""
    order = refund.order
    sibling = (
        Refund.objects.filter(order=order, replacement_order__isnull=False)
        .exclude(pk=refund.pk)
        .values_list("replacement_order", flat=True)
        .first()
    )
    if sibling:
        replacement = Order.objects.get(pk=sibling)
    else:
        replacement = Order.objects.create(
            ref=f"{order.ref}-SHIP-{refund.pk}"[:40],
            account=order.account,
            ordered_on=today,
            country=order.country,
            fulfillment=Fulfillment.SHIP,
            shipping=ZERO,
            subscription_order=False,
            card=order.card,
            sold_by=order.sold_by,
        )
    products = refund.lines.exclude(received=False).values("product_id")
    for line in OrderLine.objects.filter(order=order, product__in=products):
        OrderLine.objects.create(
            order=replacement, product=line.product, qty=line.qty, unit_price=line.unit_price, pv=line.pv
        )
    Refund.objects.filter(pk=refund.pk).update(replacement_order=replacement)
    refund.replacement_order = replacement
    audit_record(
        actor=None,
        obj=refund,
        action=AuditAction.REPLACEMENT_ORDER,
        changes={"replacement_order": (None, replacement.ref)},
    )
    return replacement
