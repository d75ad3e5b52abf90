"""Celery tasks for account upkeep: thin callers, idempotent, ids only in messages."""

from __future__ import annotations

from celery import shared_task

from accounts.enrollment.membership import membership_fee_reminders
from accounts.flags import flags_refresh, flags_refresh_all
from accounts.models import Account


@shared_task(acks_late=True, ignore_result=True)
def refresh_all_flags() -> dict[str, int]:
    """Daily beat job: recompute every flag for every live account (set-based, safe to repeat)."""
    return flags_refresh_all()


@shared_task(acks_late=True, ignore_result=True)
def refresh_account_flags(account_id: int) -> list[str]:
    account = Account.objects.filter(pk=account_id).first()
    return flags_refresh(account=account) if account is not None else []


@shared_task(acks_late=True, ignore_result=True)
def send_membership_fee_reminders() -> dict[str, int]:
    """Daily beat job: 30-day reminders and overdue notices for the membership fee (once each)."""
    return membership_fee_reminders()
