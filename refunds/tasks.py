"""Beat job: remind members two days before their return deadline, expire returns not shipped in 10 days.

Idempotent: reminders are claimed with a conditional UPDATE and expiry re-checks the locked row, so
a run repeated or two runs at once tell each member once.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task

from refunds.services import refunds_expire, refunds_remind


@shared_task(name="refunds.tasks.refunds_daily", acks_late=True)
def refunds_daily(as_of: str | None = None) -> dict[str, int]:
    day = date.fromisoformat(as_of) if as_of else None
    return {"reminded": refunds_remind(as_of=day), "expired": refunds_expire(as_of=day)}
