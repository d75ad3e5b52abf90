"""Charging subscriptions: once per subscription and month, safe under concurrent runs and crashes.

1. ``subscription_charges_schedule``: every active subscription whose ``next_charge_on`` has come gets
   its month's ``SubscriptionCharge`` row (unique per subscription and month, inserted with
   ON CONFLICT DO NOTHING) and its ``next_charge_on`` moves to the next month, in one transaction per
   (due day, charge day) group, so a second run finds nothing left to schedule.
2. ``subscription_charges_run`` takes due rows in chunks with ``SELECT … FOR UPDATE SKIP LOCKED``:
   two runs at once work on different rows, and a killed worker's chunk is rolled back by PostgreSQL
   and taken again by the next run. The gateway is called inside the chunk's transaction with the
   row's idempotency key (``subscription-<id>-<YYYY-MM>``): should a charge have happened at a real
   gateway before the crash, the retry gets that same charge back, never a second one.
3. A decline (or an expired / missing card) emails the member with a link to Manage Cards, flags the
   account and retries on days 3 and 7 of the charge; the third decline pauses the subscription.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from accounts.flags import flags_refresh
from accounts.models import (
    Account,
    Fulfillment,
    Order,
    OrderLine,
    PerkCredit,
    Subscription,
    SubscriptionStatus,
)
from accounts.models_billing import ChargeStatus, SubscriptionCharge, SubscriptionItem
from accounts.selectors import card_is_valid
from plexus_office import clock
from plexus_office.dates import add_months, month_start
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.errors import Refused
from plexus_office.platform.gateway import CardDeclined, GatewayError, GatewayTimeout, get_gateway
from plexus_office.platform.notifications import notify_many

ZERO = Decimal("0.00")
# Day 1 is the charge day; retries on day 3 and day 7, then the subscription pauses.
RETRY_OFFSETS = (2, 6)
MAX_ATTEMPTS = len(RETRY_OFFSETS) + 1
CHUNK = 500


def charge_date(month: date, day: int) -> date:
    """The charge day in ``month`` (charge days are 1-28, so every month has it)."""
    return month_start(month).replace(day=min(max(int(day), 1), 28))


def perk_credit_for(pv: int) -> Decimal:
    """The Perk Credit a subscription order of ``pv`` earns: the highest threshold it reaches."""
    credit = ZERO
    for threshold, amount in sorted(settings.PERK_CREDIT_THRESHOLDS):
        if pv >= threshold:
            credit = Decimal(amount)
    return credit


def subscription_shipping(country: str) -> Decimal:
    return Decimal(str(getattr(settings, "SUBSCRIPTION_SHIPPING", {}).get(country or "US", "0.00")))


def order_ref_for(charge: SubscriptionCharge, account_number: int) -> str:
    return f"S-{account_number}-{charge.month:%Y%m}"


# --- 1. scheduling ---------------------------------------------------------------------------------


def subscription_charges_schedule(*, today: date | None = None) -> int:
    """Create the month's charge row of every active subscription due on or before ``today``."""
    day = clock.today(today)
    created = 0
    groups = list(
        Subscription.objects.filter(status=SubscriptionStatus.ACTIVE, next_charge_on__lte=day)
        .values_list("next_charge_on", "charge_day")
        .distinct()
    )
    for due_on, charge_day in groups:
        assert due_on is not None  # filtered on next_charge_on__lte
        month = month_start(due_on)
        following = charge_date(add_months(month, 1), charge_day or due_on.day)
        with transaction.atomic():
            group = Subscription.objects.select_for_update().filter(
                status=SubscriptionStatus.ACTIVE, next_charge_on=due_on, charge_day=charge_day
            )
            rows = list(group.values_list("pk", "account_id"))
            if not rows:
                continue  # another run scheduled this group first
            made = SubscriptionCharge.objects.bulk_create(
                [
                    SubscriptionCharge(
                        subscription_id=pk,
                        account_id=account_id,
                        month=month,
                        scheduled_on=due_on,
                        next_attempt_on=due_on,
                    )
                    for pk, account_id in rows
                ],
                batch_size=2000,
                ignore_conflicts=True,
            )
            created += len(made)
            group.update(next_charge_on=following, skipped_charge_on=None)
    return created


# --- 2. charging -----------------------------------------------------------------------------------


@dataclass
class _Outcome:
    result: str  # paid / declined / failed / cancelled / timeout
    order: Order | None = None
    notice: dict[str, Any] | None = None


def subscription_charges_run(*, today: date | None = None, chunk: int = CHUNK) -> dict[str, int]:
    """The daily beat job: schedule what is due, then charge every due row once."""
    day = clock.today(today)
    counts: Counter[str] = Counter()
    counts["scheduled"] = subscription_charges_schedule(today=day)
    seen: set[int] = set()
    gateway = get_gateway()
    while True:
        with transaction.atomic():
            rows = list(
                SubscriptionCharge.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status__in=(ChargeStatus.PENDING, ChargeStatus.DECLINED), next_attempt_on__lte=day)
                .exclude(pk__in=seen)
                .select_related("subscription", "subscription__card", "account")
                .order_by("next_attempt_on", "id")[:chunk]
            )
            if not rows:
                break
            seen.update(r.pk for r in rows)
            for result in _attempt_many(rows, day=day, gateway=gateway, actor=None):
                counts[result] += 1
    return dict(counts)


def _items_of(subscription_ids: list[int]) -> dict[int, list[SubscriptionItem]]:
    items: dict[int, list[SubscriptionItem]] = {}
    for item in SubscriptionItem.objects.filter(subscription_id__in=subscription_ids).select_related(
        "product"
    ):
        items.setdefault(item.subscription_id, []).append(item)
    return items


def _attempt_many(rows: list[SubscriptionCharge], *, day: date, gateway, actor) -> list[str]:
    """Charge locked rows; write their orders, lines, perks and notices in bulk (caller's transaction)."""
    items = _items_of([r.subscription_id for r in rows])
    outcomes = [
        (row, _attempt(row, items.get(row.subscription_id, []), day=day, gateway=gateway)) for row in rows
    ]
    paid = [(row, o) for row, o in outcomes if o.result == "paid"]
    orders = Order.objects.bulk_create([o.order for _, o in paid if o.order is not None])
    lines: list[OrderLine] = []
    perks: list[PerkCredit] = []
    for (row, outcome), order in zip(paid, orders, strict=True):
        row.order = order
        lines.extend(item.order_line(order) for item in items.get(row.subscription_id, []))
        if order.perk_credits_earned > 0:
            perks.append(
                PerkCredit(
                    account_id=row.account_id,
                    order=order,
                    amount=order.perk_credits_earned,
                    created_on=day,
                    note=f"Perk credit for subscription order {order.ref}",
                )
            )
        outcome.notice = _order_notice(row, order, items.get(row.subscription_id, []))
    OrderLine.objects.bulk_create(lines, batch_size=2000)
    PerkCredit.objects.bulk_create(perks, batch_size=2000)
    SubscriptionCharge.objects.bulk_update(
        [row for row, _ in outcomes],
        [
            "status",
            "attempts",
            "next_attempt_on",
            "last_attempt_at",
            "amount",
            "pv",
            "order",
            "charge_id",
            "last_error",
        ],
        batch_size=1000,
    )
    notices = [o.notice for _, o in outcomes if o.notice]
    if notices:
        notify_many(items=notices)
    for row, outcome in outcomes:
        if outcome.result in ("declined", "failed"):
            if outcome.result == "failed":
                Subscription.objects.filter(pk=row.subscription_id, status=SubscriptionStatus.ACTIVE).update(
                    status=SubscriptionStatus.PAUSED, paused_by_declines=True
                )
            audit_record(
                actor=actor,
                obj=row.subscription,
                action=AuditAction(f"subscription_charge_{outcome.result}"),
                note=f"{row.month:%Y-%m} attempt {row.attempts}: {row.last_error}",
            )
            flags_refresh(account=row.account, as_of=day)
        elif outcome.result == "paid" and actor is not None:
            audit_record(
                actor=actor,
                obj=row.subscription,
                action=AuditAction.SUBSCRIPTION_CHARGE_PAID,
                note=f"{row.month:%Y-%m}",
            )
            flags_refresh(account=row.account, as_of=day)
    return [o.result for _, o in outcomes]


def _attempt(row: SubscriptionCharge, items: list[SubscriptionItem], *, day: date, gateway) -> _Outcome:
    """One gateway attempt for a locked row; sets the row's fields (saved in bulk by the caller)."""
    subscription = row.subscription
    if subscription.status != SubscriptionStatus.ACTIVE or not items:
        row.status = ChargeStatus.CANCELLED
        row.next_attempt_on = None
        row.last_error = (
            f"Not charged: the subscription is {subscription.get_status_display().lower()}."
            if subscription.status != SubscriptionStatus.ACTIVE
            else "Not charged: the subscription has no products."
        )
        return _Outcome("cancelled")
    account: Account = row.account
    shipping = subscription_shipping(account.shipping_country or account.country)
    row.amount = sum((i.total for i in items), ZERO) + shipping
    row.pv = sum(i.pv_total for i in items)
    row.attempts += 1
    row.last_attempt_at = clock.now()
    card = subscription.card
    error = ""
    charge = None
    if card is None or card.removed_at is not None:
        error = "No card pays your subscription."
    elif not card_is_valid(card, as_of=day):
        error = f"The card {card} has expired."
    else:
        key = row.idempotency_key
        try:
            try:
                charge = gateway.charge(token=card.token, amount=row.amount, idempotency_key=key)
            except GatewayTimeout:
                charge = gateway.charge(token=card.token, amount=row.amount, idempotency_key=key)
        except GatewayTimeout:
            # Not a decline: the gateway may have charged. Left for the next run, same key, same attempt.
            row.attempts -= 1
            row.last_error = "The payment gateway did not answer; tried again on the next run."
            return _Outcome("timeout")
        except (CardDeclined, GatewayError) as exc:
            error = str(exc)
    if charge is None:
        row.last_error = error[:300]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = ChargeStatus.FAILED
            row.next_attempt_on = None
            return _Outcome("failed", notice=_decline_notice(row, final=True))
        row.status = ChargeStatus.DECLINED
        row.next_attempt_on = max(
            row.scheduled_on + timedelta(days=RETRY_OFFSETS[row.attempts - 1]), day + timedelta(days=1)
        )
        return _Outcome("declined", notice=_decline_notice(row, final=False))
    row.status = ChargeStatus.PAID
    row.next_attempt_on = None
    row.charge_id = charge.id
    row.last_error = ""
    order = Order(
        ref=order_ref_for(row, account.number),
        account=account,
        ordered_on=day,
        country=account.shipping_country or account.country,
        fulfillment=Fulfillment.SHIP,
        shipping=shipping,
        subscription_order=True,
        card=card,
        charge_id=charge.id,
        perk_credits_earned=perk_credit_for(row.pv),
    )
    return _Outcome("paid", order=order)


def _decline_notice(row: SubscriptionCharge, *, final: bool) -> dict[str, Any]:
    context = {
        "month": f"{row.month:%B %Y}",
        "month_on": row.month.isoformat(),  # shown in the recipient's language
        "amount": str(row.amount),
        "error": row.last_error,
        "attempt": row.attempts,
        "retry_on": row.next_attempt_on.isoformat() if row.next_attempt_on else "",
        "final": final,
    }
    return {
        "recipient": row.account,
        "event": "accounts_subscription_paused" if final else "accounts_subscription_declined",
        "context": context,
        "link": "/account/cards/",
    }


def _order_notice(row: SubscriptionCharge, order: Order, items: list[SubscriptionItem]) -> dict[str, Any]:
    return {
        "recipient": row.account,
        "event": "accounts_order_confirmation",
        "context": order_confirmation_context(
            order,
            [(i.product.name, i.product.sku, i.qty, i.product.price, i.product.pv) for i in items],
            month=row.month,
        ),
        "link": f"/orders/{order.ref}/",
    }


def order_confirmation_context(
    order: Order, lines: list[tuple], *, month: date | None = None
) -> dict[str, Any]:
    """The JSON-safe context of an order confirmation email (rendered when it is sent, in the
    recipient's language): a subscription order names its ``month``, else it is a dropship order."""
    subtotal = sum((Decimal(price) * qty for _, _, qty, price, _ in lines), ZERO)
    return {
        "month_on": month.isoformat() if month else "",
        "ref": order.ref,
        "ordered_on": order.ordered_on.isoformat(),
        "lines": [
            {"name": name, "sku": sku, "qty": qty, "price": str(price), "total": str(Decimal(price) * qty)}
            for name, sku, qty, price, _ in lines
        ],
        "pv": sum(pv * qty for _, _, qty, _, pv in lines),
        "shipping": str(order.shipping),
        "total": str(subtotal + order.shipping),
        "ship_to": order.ship_to_name or "",
    }


# --- 3. one subscription at once (enrollment, a fixed card) ----------------------------------------


def _attempt_one(*, charge_id: int, day: date, actor: Any) -> SubscriptionCharge:
    with transaction.atomic():
        row = (
            SubscriptionCharge.objects.select_for_update(of=("self",))
            .select_related("subscription", "subscription__card", "account")
            .get(pk=charge_id)
        )
        if row.status in (ChargeStatus.PENDING, ChargeStatus.DECLINED, ChargeStatus.FAILED):
            if row.status == ChargeStatus.FAILED:
                row.attempts = min(row.attempts, MAX_ATTEMPTS - 1)  # one more try with the new card
            _attempt_many([row], day=day, gateway=get_gateway(), actor=actor)
    return row


def subscription_charge_month(
    *, subscription: Subscription, actor: Any, month: date | None = None, today: date | None = None
) -> SubscriptionCharge:
    """Charge ``subscription`` for ``month`` (default: this month) now; once per month, ever.

    For enrollment's first subscription order and for staff: a month already paid is returned as is
    (the same unique row and idempotency key the beat job uses), so nothing is charged twice.
    """
    day = clock.today(today)
    target = month_start(month or day)
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise Refused(
            "subscription_not_active", "Only an active subscription can be charged.", field="subscription"
        )
    row, _ = SubscriptionCharge.objects.get_or_create(
        subscription=subscription,
        month=target,
        defaults={"account_id": subscription.account_id, "scheduled_on": day, "next_attempt_on": day},
    )
    with transaction.atomic():
        # This month is now charged here: the schedule moves on to next month's charge day.
        Subscription.objects.filter(
            Q(next_charge_on__lt=add_months(target, 1)) | Q(next_charge_on__isnull=True), pk=subscription.pk
        ).update(next_charge_on=charge_date(add_months(target, 1), subscription.charge_day or day.day))
    return _attempt_one(charge_id=row.pk, day=day, actor=actor)


def outstanding_charge(subscription: Subscription) -> SubscriptionCharge | None:
    """The declined month still to pay (declined and waiting, or given up after three declines)."""
    return (
        SubscriptionCharge.objects.filter(
            subscription=subscription, status__in=(ChargeStatus.DECLINED, ChargeStatus.FAILED)
        )
        .order_by("-month")
        .first()
    )


def subscription_charge_retry(
    *, account: Account, actor: Any, today: date | None = None
) -> SubscriptionCharge | None:
    """A fixed card charges at once: retry the declined month now (no-op when nothing is owed).

    A subscription paused by the declines resumes when this charge goes through.
    """
    day = clock.today(today)
    subscription = Subscription.objects.filter(account=account).first()
    if subscription is None or subscription.status == SubscriptionStatus.CANCELLED:
        return None
    row = outstanding_charge(subscription)
    if row is None:
        return None
    if subscription.status == SubscriptionStatus.PAUSED:
        if not subscription.paused_by_declines:
            return None  # the member paused it: resuming is their choice
        with transaction.atomic():
            Subscription.objects.filter(pk=subscription.pk, status=SubscriptionStatus.PAUSED).update(
                status=SubscriptionStatus.ACTIVE, paused_by_declines=False
            )
    row = _attempt_one(charge_id=row.pk, day=day, actor=actor)
    if row.status != ChargeStatus.PAID and subscription.status == SubscriptionStatus.PAUSED:
        Subscription.objects.filter(pk=subscription.pk).update(
            status=SubscriptionStatus.PAUSED, paused_by_declines=True
        )
    if row.status == ChargeStatus.PAID:
        next_on = charge_date(add_months(row.month, 1), subscription.charge_day or row.scheduled_on.day)
        Subscription.objects.filter(pk=subscription.pk, next_charge_on__lt=next_on).update(
            next_charge_on=next_on
        )
        Subscription.objects.filter(pk=subscription.pk, next_charge_on__isnull=True).update(
            next_charge_on=next_on
        )
    flags_refresh(account=account, as_of=day)
    return row


__all__ = [
    "order_confirmation_context",
    "outstanding_charge",
    "subscription_charge_month",
    "subscription_charge_retry",
    "subscription_charges_run",
    "subscription_charges_schedule",
]
