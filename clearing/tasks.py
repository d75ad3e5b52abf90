"""Celery tasks of the clearing program: thin, idempotent, ids only in messages."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from clearing.cards import cleared_cards_delete_at_gateway
from clearing.models import ClearRequest, ClearStatus
from plexus_office.platform.gateway import GatewayError
from plexus_office.platform.queueing import task_queue_on_commit

# Broker retries stay short (long countdowns are duplicated past Redis's visibility timeout);
# anything still undone after them is picked up by the beat sweep.
MAX_RETRIES = 6
SWEEP_AFTER = timedelta(minutes=10)


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=MAX_RETRIES
)
def delete_cards_at_gateway(self, account_id: int) -> int:
    """Delete a cleared member's removed cards at the gateway; safe to run any number of times."""
    try:
        return cleared_cards_delete_at_gateway(account_id=account_id)
    except GatewayError as err:
        if self.request.is_eager:
            raise
        raise self.retry(exc=err, countdown=min(300, 15 * 2**self.request.retries)) from err


@shared_task(acks_late=True, ignore_result=True)
def sweep_card_deletions() -> int:
    """Requeue cleared members whose cards are not yet confirmed deleted (a lost or exhausted task)."""
    cutoff = timezone.now() - SWEEP_AFTER
    ids = list(
        ClearRequest.objects.filter(
            status=ClearStatus.CLEARED, cards_deleted_at__isnull=True, decided_at__lt=cutoff
        ).values_list("member_id", flat=True)[:500]
    )
    for account_id in ids:
        delete_cards_at_gateway.delay(account_id)
    return len(ids)


def cleared_cards_delete_queue(account_id: int) -> None:
    """Queue the gateway deletion of a cleared member's cards when the caller commits."""
    task_queue_on_commit(delete_cards_at_gateway, account_id)
