"""Payouts of the commission ledger, where refund reversals are offset (refunds.txt "Bonuses").

A negative adjustment is "offset against any future cash payments": the next payout nets every
unpaid entry of the earner (commissions, bonuses, incentives and negative adjustments), marks them
all paid, and when the negatives outweigh the earnings pays nothing and carries the remaining
negative balance forward as one new unpaid adjustment.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from accounts.models import Account, CommissionEntry, CommissionKind, CommissionStatus
from plexus_office import clock
from plexus_office.platform.actors import actor_user
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.money import ZERO
from refunds.models import Payout


def payout_run(*, earner: Account, actor: Any, on: date | None = None) -> Payout:
    """Settle ``earner``'s unpaid ledger entries earned on or before ``on`` into one payout."""
    day = clock.today(on)
    user = actor_user(actor)
    with transaction.atomic():
        # The earner row lock serialises two payouts of the same earner; entries are locked too.
        Account.objects.select_for_update().filter(pk=earner.pk).first()
        entries = list(
            CommissionEntry.objects.select_for_update()
            .filter(earner=earner, status=CommissionStatus.UNPAID, earned_on__lte=day)
            .order_by("earned_on", "id")
        )
        earnings = sum((e.amount for e in entries if e.amount > 0), ZERO)
        offsets = sum((e.amount for e in entries if e.amount < 0), ZERO)
        balance = earnings + offsets
        CommissionEntry.objects.filter(pk__in=[e.pk for e in entries], status=CommissionStatus.UNPAID).update(
            status=CommissionStatus.PAID, paid_on=day
        )
        carried = None
        if balance < ZERO:
            carried = CommissionEntry.objects.create(
                earner=earner,
                kind=CommissionKind.ADJUSTMENT,
                amount=balance,
                status=CommissionStatus.UNPAID,
                earned_on=day,
                note=f"Negative balance carried forward from the payout of {day.isoformat()}",
            )
        payout = Payout.objects.create(
            earner=earner,
            paid_on=day,
            earnings=earnings,
            offsets=offsets,
            net=max(balance, ZERO),
            carried_forward=carried,
            created_by=user,
        )
        audit_record(
            actor=user,
            obj=payout,
            action=AuditAction.PAYOUT,
            note=f"{len(entries)} entries settled",
            changes={"net": (None, str(payout.net)), "carried_forward": (None, str(min(balance, ZERO)))},
        )
    return payout


def ledger_balance(*, earner: Account) -> Decimal:
    """What the next payout would be before offsets are floored at zero (negative = owed back)."""
    total = CommissionEntry.objects.filter(earner=earner, status=CommissionStatus.UNPAID).aggregate(
        t=Sum("amount")
    )
    return total["t"] or ZERO
