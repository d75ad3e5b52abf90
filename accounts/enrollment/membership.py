"""Membership (business rules §7): the annual Brand Ambassador fee, paid or renewed online, the VIP
upgrade to Brand Ambassador, and the reminders 30 days before the due date and when it is overdue.

Money moves once: every charge carries an idempotency key tied to what it pays for (the account and
the due date it settles; the upgrade of that account), the gateway answers a repeated key with the
first charge, and the payment row's unique key keeps one receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.enrollment.services import FEE_TERM_MONTHS, membership_fee
from accounts.models import (
    Account,
    AccountKind,
    AccountStatus,
    Enrollment,
    EnrollmentChannel,
    MembershipFeePayment,
    Rank,
    SavedCard,
)
from accounts.selectors import ActivityVerdict, account_activity, card_is_valid
from plexus_office import clock
from plexus_office.dates import add_months
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.errors import Refused
from plexus_office.platform.gateway import CardDeclined, GatewayError, GatewayTimeout, get_gateway
from plexus_office.platform.l10n import long_date
from plexus_office.platform.models import EmailOutbox
from plexus_office.platform.notifications import notify

RENEWAL_WINDOW_DAYS = 90  # the fee can be paid from 90 days before its due date
REMINDER_DAYS_BEFORE = 30
OVERDUE_NOTICE_WINDOW_DAYS = 30  # an overdue notice goes out within 30 days of the due date passing


@dataclass(frozen=True)
class MembershipSummary:
    due_on: date | None
    overdue: bool
    days_to_due: int | None
    can_pay: bool
    pay_opens_on: date | None
    next_due_if_paid: date | None
    activity: ActivityVerdict
    payments: list[MembershipFeePayment]
    fee: Decimal


def next_due_date(*, due_on: date | None, day: date) -> date:
    """Paid on time (or early), the year runs on from the old due date; overdue, from the payment day."""
    if due_on is not None and due_on >= day:
        return add_months(due_on, FEE_TERM_MONTHS)
    return add_months(day, FEE_TERM_MONTHS)


def membership_summary(*, account: Account, as_of: date | None = None) -> MembershipSummary:
    day = clock.today(as_of)
    due = account.membership_fee_due_on
    opens = due - timedelta(days=RENEWAL_WINDOW_DAYS) if due else None
    return MembershipSummary(
        due_on=due,
        overdue=bool(due and day > due),
        days_to_due=(due - day).days if due else None,
        can_pay=account.status == AccountStatus.ACTIVE and (opens is None or day >= opens),
        pay_opens_on=opens,
        next_due_if_paid=next_due_date(due_on=due, day=day),
        activity=account_activity(account=account, as_of=day),
        payments=list(MembershipFeePayment.objects.filter(account=account).select_related("card")[:20]),
        fee=membership_fee(),
    )


def _holder_card(*, account: Account, actor: User, card_id: int | None) -> SavedCard:
    if actor is None or account.user_id != getattr(actor, "pk", None):
        raise Refused("not_holder", gettext("Only the account holder can pay their membership fee."))
    if account.status != AccountStatus.ACTIVE:
        raise Refused("account_cancelled", gettext("This account is cancelled."))
    cards = SavedCard.objects.filter(account=account, removed_at__isnull=True)
    card = cards.filter(pk=card_id).first() if card_id else cards.filter(is_default=True).first()
    if card is None:
        raise Refused(
            "no_card", gettext("Choose one of your saved cards (add one on Manage Cards)."), field="card"
        )
    if not card_is_valid(card, as_of=clock.today()):
        raise Refused(
            "card_expired",
            gettext("The card %(card)s has expired; choose another.") % {"card": card},
            field="card",
        )
    return card


def _charge(*, card: SavedCard, amount: Decimal, key: str) -> str:
    gateway = get_gateway()
    try:
        try:
            return gateway.charge(token=card.token, amount=amount, idempotency_key=key).id
        except GatewayTimeout:
            return gateway.charge(token=card.token, amount=amount, idempotency_key=key).id
    except GatewayTimeout:
        raise Refused(
            "gateway_timeout",
            gettext("The payment service did not answer in time; nothing was charged."),
            field="card",
        ) from None
    except CardDeclined as exc:
        raise Refused(
            "card_declined", gettext("%(answer)s Nothing was charged.") % {"answer": exc}, field="card"
        ) from None
    except GatewayError as exc:
        raise Refused("card_error", str(exc), field="card") from None


def membership_fee_pay(*, account: Account, actor: User, card_id: int | None = None) -> MembershipFeePayment:
    """Pay (or renew) the annual fee with a saved card: one charge and one receipt per due date."""
    if account.kind != AccountKind.AMBASSADOR or account.is_corporate:
        raise Refused("not_ambassador", gettext("Only Brand Ambassadors pay the membership fee."))
    card = _holder_card(account=account, actor=actor, card_id=card_id)
    day = clock.today()
    summary = membership_summary(account=account, as_of=day)
    key = f"fee:{account.pk}:{account.membership_fee_due_on or 'none'}"
    existing = MembershipFeePayment.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing  # a double click or a reload: already paid
    if not summary.can_pay:
        raise Refused(
            "not_due_yet",
            gettext("Your membership is paid until %(due)s; renewal opens on %(opens)s.")
            % {"due": long_date(summary.due_on), "opens": long_date(summary.pay_opens_on)},
        )
    amount = membership_fee()
    charge_id = _charge(card=card, amount=amount, key=key)
    try:
        with transaction.atomic():
            locked = Account.objects.select_for_update().get(pk=account.pk)
            new_due = next_due_date(due_on=locked.membership_fee_due_on, day=day)
            payment = MembershipFeePayment.objects.create(
                account=locked,
                paid_on=day,
                amount=amount,
                covers_until=new_due,
                charge_id=charge_id,
                card=card,
                idempotency_key=key,
            )
            before = locked.membership_fee_due_on
            Account.objects.filter(pk=locked.pk).update(membership_fee_due_on=new_due)
            audit_record(
                actor=actor,
                obj=locked,
                action=AuditAction.MEMBERSHIP_FEE_PAID,
                note=f"Paid {amount} with {card}; due date {before} -> {new_due}",
                changes={"membership_fee_due_on": (before, new_due)},
            )
            notify(
                recipient=locked,
                event="accounts_membership_fee_receipt",
                context={"account": locked, "payment": payment, "card": card},
                link="/account/membership/",
                key=f"fee-receipt:{payment.pk}",
            )
    except IntegrityError:
        return MembershipFeePayment.objects.get(idempotency_key=key)
    account.membership_fee_due_on = new_due
    return payment


def membership_upgrade(*, account: Account, actor: User, card_id: int | None = None) -> Account:
    """A VIP Customer becomes a Brand Ambassador: pays the fee; keeps number, sponsor and orders."""
    if account.kind != AccountKind.VIP_CUSTOMER:
        raise Refused("not_vip_customer", gettext("Only VIP Customers can upgrade to Brand Ambassador."))
    card = _holder_card(account=account, actor=actor, card_id=card_id)
    day = clock.today()
    key = f"upgrade:{account.pk}"
    amount = membership_fee()
    charge_id = _charge(card=card, amount=amount, key=key)
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if locked.kind == AccountKind.AMBASSADOR:
            return locked  # the other click of a double submit did it
        due = add_months(day, FEE_TERM_MONTHS)
        Account.objects.filter(pk=locked.pk).update(
            kind=AccountKind.AMBASSADOR, title_rank=Rank.BRAND_AMBASSADOR, membership_fee_due_on=due
        )
        payment = MembershipFeePayment.objects.create(
            account=locked,
            paid_on=day,
            amount=amount,
            covers_until=due,
            charge_id=charge_id,
            card=card,
            idempotency_key=key,
        )
        Enrollment.objects.create(
            key=f"upgrade:{locked.pk}",
            account=locked,
            channel=EnrollmentChannel.UPGRADE,
            kind=AccountKind.AMBASSADOR,
            enrolled_on=day,
            actor=actor,
            charge_id=charge_id,
            amount=amount,
        )
        audit_record(
            actor=actor,
            obj=locked,
            action=AuditAction.UPGRADED_TO_AMBASSADOR,
            note=f"Paid {amount} with {card}",
            changes={
                "kind": (AccountKind.VIP_CUSTOMER, AccountKind.AMBASSADOR),
                "membership_fee_due_on": (None, due),
            },
        )
        locked.refresh_from_db()
        notify(
            recipient=locked,
            event="accounts_membership_fee_receipt",
            context={"account": locked, "payment": payment, "card": card, "upgrade": True},
            link="/account/membership/",
            key=f"fee-receipt:{payment.pk}",
        )
    account.refresh_from_db()
    return locked


def membership_fee_reminders(*, as_of: date | None = None) -> dict[str, int]:
    """Daily: remind ambassadors 30 days before the due date and tell them when it is overdue.

    Once each: the outbox key names the account and the due date, so a rerun (or a second worker)
    sends nothing twice; a missed day is caught up by the windows (any due date within the next 30
    days not yet reminded; any passed within the last 30 days not yet told).
    """
    day = clock.today(as_of)
    live = Account.objects.filter(
        kind=AccountKind.AMBASSADOR, status=AccountStatus.ACTIVE, is_corporate=False
    )
    batches = {
        "reminder": live.filter(
            membership_fee_due_on__gt=day,
            membership_fee_due_on__lte=day + timedelta(days=REMINDER_DAYS_BEFORE),
        ),
        "overdue": live.filter(
            membership_fee_due_on__lt=day,
            membership_fee_due_on__gte=day - timedelta(days=OVERDUE_NOTICE_WINDOW_DAYS),
        ),
    }
    sent = {"reminder": 0, "overdue": 0}
    for what, queryset in batches.items():
        for account in queryset.iterator(chunk_size=500):
            key = f"fee-{what}:{account.pk}:{account.membership_fee_due_on}"
            if EmailOutbox.objects.filter(key=key).exists():
                continue
            with transaction.atomic():
                notify(
                    recipient=account,
                    event=f"accounts_membership_fee_{what}",
                    context={
                        "account": account,
                        "due_on": account.membership_fee_due_on,
                        "fee": membership_fee(),
                    },
                    link="/account/membership/",
                    key=key,
                )
            sent[what] += 1
    return sent
