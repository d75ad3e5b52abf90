"""The member's Autoship page: products and quantities, charge day, skip, pause, resume, cancel.

Each change locks the subscription row, is audited and is confirmed by email (and the inbox).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from accounts.flags import flags_refresh
from accounts.models import Account, AccountStatus, Product, Subscription, SubscriptionStatus
from accounts.models_billing import ChargeStatus, SubscriptionCharge, SubscriptionItem
from accounts.subscriptions.charging import charge_date
from accounts.subscriptions.selectors import autoship_summary
from plexus_office import clock
from plexus_office.dates import add_months, month_start
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.errors import Refused
from plexus_office.platform.l10n import short_date
from plexus_office.platform.notifications import notify

MAX_QTY = 10


def _holder(account: Account, actor: Any) -> None:
    if actor is None or not getattr(actor, "pk", None) or account.user_id != actor.pk:
        raise Refused("not_holder", gettext("Only the account holder can change the subscription."))


def _lock(account: Account) -> Subscription:
    locked = Account.objects.select_for_update().get(pk=account.pk)
    if locked.status != AccountStatus.ACTIVE:
        raise Refused(
            "account_cancelled", gettext("This account is cancelled; its subscription can no longer change.")
        )
    subscription = Subscription.objects.select_for_update(of=("self",)).filter(account=locked).first()
    if subscription is None:
        raise Refused("no_subscription", gettext("You have no monthly subscription."), field="subscription")
    subscription.account = locked
    return subscription


def next_charge_after(subscription: Subscription, *, day: int, after: date) -> date:
    """The first charge day ``day`` strictly after ``after`` whose month is not charged yet."""
    candidate = charge_date(after, day)
    if candidate <= after:
        candidate = charge_date(add_months(month_start(after), 1), day)
    charged = set(
        SubscriptionCharge.objects.filter(subscription=subscription, month__gte=month_start(candidate))
        .exclude(status=ChargeStatus.CANCELLED)
        .values_list("month", flat=True)
    )
    while month_start(candidate) in charged:
        candidate = charge_date(add_months(month_start(candidate), 1), day)
    return candidate


class _What:
    """A change described once: English in the audit note, the member's language in the email (the
    notification renders ``str(what)`` inside the recipient's language)."""

    def __init__(self, message: str, **params: Any) -> None:
        self.message, self.params = message, params

    def __str__(self) -> str:
        values = {k: short_date(v) if isinstance(v, date) else v for k, v in self.params.items()}
        return gettext(self.message) % values if values else gettext(self.message)


def _confirm(
    subscription: Subscription, actor: Any, *, action: AuditAction, what: _What, changes: dict
) -> None:
    with translation.override("en"):
        note = str(what)
    audit_record(actor=actor, obj=subscription, action=action, note=note, changes=changes)
    flags_refresh(account=subscription.account)
    summary = autoship_summary(subscription=subscription)
    notify(
        recipient=subscription.account,
        event="accounts_autoship_changed",
        context={"what": what, "summary": summary},
        link="/autoship/",
    )


def subscription_items_set(*, account: Account, actor: Any, quantities: dict[int, int]) -> Subscription:
    """Replace the subscription's products: ``{product_id: qty}``, qty 0 removes a product."""
    _holder(account, actor)
    errors = []
    wanted: dict[int, int] = {}
    for product_id, qty in quantities.items():
        if not isinstance(qty, int) or isinstance(qty, bool) or not 0 <= qty <= MAX_QTY:
            errors.append(
                gettext("Quantity of product %(product)s: choose 0 to %(max)s.")
                % {"product": product_id, "max": MAX_QTY}
            )
        elif qty:
            wanted[int(product_id)] = qty
    if errors:
        raise Refused("bad_quantity", " ".join(errors), field="items")
    products = {p.pk: p for p in Product.objects.filter(pk__in=list(wanted))}
    unknown = sorted(set(wanted) - set(products))
    if unknown:
        raise Refused(
            "unknown_product",
            gettext("Products: no such product %(ids)s.") % {"ids": unknown},
            field="items",
        )
    if not wanted:
        raise Refused(
            "no_items",
            gettext("Products: keep at least one product (to stop the monthly order, pause or cancel it)."),
            field="items",
        )
    with transaction.atomic():
        subscription = _lock(account)
        if subscription.status == SubscriptionStatus.CANCELLED:
            raise Refused(
                "subscription_cancelled", gettext("The subscription is cancelled; start it again first.")
            )
        before = {i.product.sku: i.qty for i in subscription.items.select_related("product")}
        SubscriptionItem.objects.filter(subscription=subscription).delete()
        SubscriptionItem.objects.bulk_create(
            [
                SubscriptionItem(subscription=subscription, product_id=pk, qty=qty)
                for pk, qty in wanted.items()
            ]
        )
        pv = sum(products[pk].pv * qty for pk, qty in wanted.items())
        old_pv = subscription.pv
        subscription.pv = pv
        subscription.save(update_fields=["pv"])
        after = {
            products[pk].sku: qty for pk, qty in sorted(wanted.items(), key=lambda kv: products[kv[0]].sku)
        }
        _confirm(
            subscription,
            actor,
            action=AuditAction.SUBSCRIPTION_ITEMS_SET,
            what=_What(
                "Products changed: %(items)s (%(pv)s PV)",
                items=", ".join(f"{q} × {s}" for s, q in after.items()),
                pv=pv,
            ),
            changes={"items": (before, after), "pv": (old_pv, pv)},
        )
    return subscription


def subscription_charge_day_set(
    *, account: Account, actor: Any, day: int, today: date | None = None
) -> Subscription:
    _holder(account, actor)
    if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 28:
        raise Refused("bad_charge_day", gettext("Charge day: choose a day from 1 to 28."), field="charge_day")
    now = clock.today(today)
    with transaction.atomic():
        subscription = _lock(account)
        before = (subscription.charge_day, subscription.next_charge_on)
        subscription.charge_day = day
        if subscription.status == SubscriptionStatus.ACTIVE:
            subscription.next_charge_on = next_charge_after(subscription, day=day, after=now)
            subscription.skipped_charge_on = None
        subscription.save(update_fields=["charge_day", "next_charge_on", "skipped_charge_on"])
        _confirm(
            subscription,
            actor,
            action=AuditAction.SUBSCRIPTION_CHARGE_DAY_SET,
            what=_What(
                "Monthly charge day set to %(day)s; next charge on %(next)s",
                day=day,
                next=subscription.next_charge_on,
            )
            if subscription.next_charge_on
            else _What("Monthly charge day set to %(day)s", day=day),
            changes={
                "charge_day": (before[0], day),
                "next_charge_on": (str(before[1]), str(subscription.next_charge_on)),
            },
        )
    return subscription


def subscription_skip_next(*, account: Account, actor: Any, today: date | None = None) -> Subscription:
    """Skip the next monthly order: the charge after it becomes the next one."""
    _holder(account, actor)
    clock.today(today)
    with transaction.atomic():
        subscription = _lock(account)
        if subscription.status != SubscriptionStatus.ACTIVE or subscription.next_charge_on is None:
            raise Refused(
                "not_active", gettext("Only an active subscription with a next charge can skip a month.")
            )
        if subscription.skipped_charge_on is not None:
            raise Refused(
                "already_skipped",
                gettext("You already skip the order of %(day)s; one month can be skipped at a time.")
                % {"day": short_date(subscription.skipped_charge_on)},
            )
        skipped = subscription.next_charge_on
        subscription.skipped_charge_on = skipped
        subscription.next_charge_on = charge_date(
            add_months(month_start(skipped), 1), subscription.charge_day or skipped.day
        )
        subscription.save(update_fields=["skipped_charge_on", "next_charge_on"])
        _confirm(
            subscription,
            actor,
            action=AuditAction.SUBSCRIPTION_SKIPPED,
            what=_What(
                "The order of %(day)s is skipped; next charge on %(next)s",
                day=skipped,
                next=subscription.next_charge_on,
            ),
            changes={"next_charge_on": (str(skipped), str(subscription.next_charge_on))},
        )
    return subscription


def subscription_pause(*, account: Account, actor: Any) -> Subscription:
    _holder(account, actor)
    with transaction.atomic():
        subscription = _lock(account)
        if subscription.status != SubscriptionStatus.ACTIVE:
            raise Refused("not_active", gettext("Only an active subscription can be paused."))
        Subscription.objects.filter(pk=subscription.pk).update(
            status=SubscriptionStatus.PAUSED, next_charge_on=None
        )
        subscription.status, subscription.next_charge_on = SubscriptionStatus.PAUSED, None
        _confirm(
            subscription,
            actor,
            action=AuditAction.SUBSCRIPTION_PAUSED,
            what=_What("Subscription paused: no monthly order is charged until you resume it"),
            changes={"status": ("active", "paused")},
        )
    return subscription


def subscription_resume(*, account: Account, actor: Any, today: date | None = None) -> Subscription:
    """Resume a paused subscription, or start a cancelled one again, from the next charge day."""
    _holder(account, actor)
    now = clock.today(today)
    with transaction.atomic():
        subscription = _lock(account)
        if subscription.status == SubscriptionStatus.ACTIVE:
            raise Refused("already_active", gettext("The subscription is already active."))
        if not subscription.items.exists():
            raise Refused(
                "no_items", gettext("Products: choose at least one product before resuming."), field="items"
            )
        before = subscription.status
        day = subscription.charge_day or min((now + timedelta(days=1)).day, 28)
        next_on = next_charge_after(subscription, day=day, after=now)
        Subscription.objects.filter(pk=subscription.pk).update(
            status=SubscriptionStatus.ACTIVE,
            paused_by_declines=False,
            charge_day=day,
            next_charge_on=next_on,
            skipped_charge_on=None,
            ended_on=None,
        )
        subscription.refresh_from_db()
        subscription.account = Account.objects.get(pk=account.pk)
        _confirm(
            subscription,
            actor,
            action=AuditAction.SUBSCRIPTION_RESUMED,
            what=_What("Subscription resumed; next charge on %(next)s", next=next_on)
            if before == "paused"
            else _What("Subscription started again; next charge on %(next)s", next=next_on),
            changes={"status": (before, "active")},
        )
    return subscription


def subscription_cancel(*, account: Account, actor: Any, today: date | None = None) -> Subscription:
    _holder(account, actor)
    now = clock.today(today)
    with transaction.atomic():
        subscription = _lock(account)
        if subscription.status == SubscriptionStatus.CANCELLED:
            raise Refused("already_cancelled", gettext("The subscription is already cancelled."))
        before = subscription.status
        Subscription.objects.filter(pk=subscription.pk).update(
            status=SubscriptionStatus.CANCELLED, ended_on=now, next_charge_on=None, skipped_charge_on=None
        )
        SubscriptionCharge.objects.filter(
            subscription=subscription,
            status__in=(ChargeStatus.PENDING, ChargeStatus.DECLINED, ChargeStatus.FAILED),
        ).update(status=ChargeStatus.CANCELLED, next_attempt_on=None)
        subscription.status, subscription.ended_on = SubscriptionStatus.CANCELLED, now
        _confirm(
            subscription,
            actor,
            action=AuditAction.SUBSCRIPTION_CANCELLED,
            what=_What("Subscription cancelled"),
            changes={"status": (before, "cancelled")},
        )
    return subscription
