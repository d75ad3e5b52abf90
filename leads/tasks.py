"""Celery task: the scheduled Leads run. A thin caller of ``leads_assign``.

Idempotent by construction: the service never places a lead twice nor gives a sponsor a second batch
in a half-month, so a redelivered message (acks_late + reject_on_worker_lost after a killed worker)
only finishes what the interrupted run left.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.contrib.auth import get_user_model

from leads.services import leads_assign
from plexus_office import clock


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def assign_leads_task(
    as_of: str | None = None, actor_id: int | None = None, trigger: str = "schedule"
) -> dict[str, int]:
    """Run the placement for ``as_of`` (ISO date; default today). Returns the run's counts.

    ``actor_id`` and ``trigger="admin"`` when Leads Operations started the run from the admin.
    """
    day = date.fromisoformat(as_of) if as_of else None
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    with clock.frozen_at(day):
        result = leads_assign(as_of=day, actor=actor, trigger=trigger)
    return {"run": result.run.pk, "placed": len(result.placements), "unplaced": len(result.unplaced)}
