"""Beat jobs of the staff workspace: thin callers, idempotent (see the services)."""

from __future__ import annotations

from celery import shared_task

from operations.staff.escalation import escalation_digest_send
from operations.staff.metrics import dashboard_metrics_refresh


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def dashboard_metrics_refresh_task() -> int:
    return dashboard_metrics_refresh()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def escalation_digest_task() -> list[str]:
    return [d.group for d in escalation_digest_send()]
