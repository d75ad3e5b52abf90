"""Celery tasks for account upkeep: thin callers, idempotent, ids only in messages."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.conf import settings

from accounts.enrollment.membership import membership_fee_reminders
from accounts.flags import flags_refresh, flags_refresh_all
from accounts.models import Account
from accounts.pay.services import pay_monthly_run
from accounts.subscriptions.charging import subscription_charges_run
from accounts.team.rollup import team_rollup_refresh


@shared_task(acks_late=True, ignore_result=True)
def refresh_all_flags() -> dict[str, int]:
    """Daily beat job: recompute every flag for every live account (set-based, safe to repeat)."""
    return flags_refresh_all()


@shared_task(acks_late=True, ignore_result=True)
def refresh_account_flags(account_id: int) -> list[str]:
    account = Account.objects.filter(pk=account_id).first()
    return flags_refresh(account=account) if account is not None else []


@shared_task(acks_late=True, ignore_result=True)
def charge_subscriptions(day: str | None = None) -> dict[str, int]:
    """Daily beat job: charge every subscription due (once per subscription and month; safe to repeat)."""
    return subscription_charges_run(today=date.fromisoformat(day) if day else None)


@shared_task(acks_late=True, ignore_result=True)
def monthly_payout(day: str | None = None) -> int | None:
    """Daily beat job: from the payout day on, commit last month's payout unless Finance already did."""
    run = pay_monthly_run(
        today=date.fromisoformat(day) if day else None, payout_day=getattr(settings, "PAYOUT_DAY", 5)
    )
    return run.pk if run else None


@shared_task(acks_late=True, ignore_result=True)
def send_membership_fee_reminders() -> dict[str, int]:
    """Daily beat job: 30-day reminders and overdue notices for the membership fee (once each)."""
    return membership_fee_reminders()


@shared_task(acks_late=True, ignore_result=True)
def refresh_team_rollup() -> dict[str, object]:
    """Beat job: every member's group volume and downline counts this month (the report's rollup)."""
    return team_rollup_refresh()
