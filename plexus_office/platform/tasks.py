"""Celery tasks: thin callers of ``outbox``. Both are idempotent; ids only in messages.

Services queue them through ``outbox_send_queue`` / ``outbox_sweep_queue`` (on commit); a task imports
its service, never the other way round.
"""

from __future__ import annotations

from celery import shared_task

from plexus_office.platform.outbox import SWEEP_BATCH, outbox_due_ids, outbox_send
from plexus_office.platform.queueing import task_queue_on_commit

# Short retries ride on the broker; longer ones wait in the row for the sweep, because long
# countdowns are duplicated past Redis's visibility timeout.
MAX_BROKER_COUNTDOWN = 300


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None)
def send_outbox_email(self, outbox_id: int) -> str:
    outcome, retry_in = outbox_send(outbox_id=outbox_id)
    if outcome == "retry" and retry_in <= MAX_BROKER_COUNTDOWN and not self.request.is_eager:
        raise self.retry(countdown=retry_in)
    return outcome


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox(fresh: bool = False, after_id: int = 0) -> int:
    """Queue every unsent row that is due (runs every minute from beat; ``fresh`` after notify_many).

    One batch per task; a full batch queues the next one after its last id, so a run that wrote 100k
    emails drains at the workers' speed instead of one batch a minute, and no row is queued twice by
    the same chain.
    """
    ids = outbox_due_ids(limit=SWEEP_BATCH, fresh=fresh, after_id=after_id)
    for outbox_id in ids:
        send_outbox_email.delay(outbox_id)
    if len(ids) == SWEEP_BATCH:
        sweep_outbox.delay(fresh=fresh, after_id=ids[-1])
    return len(ids)


def outbox_send_queue(outbox_id: int) -> None:
    """Queue the send of one outbox row when the caller commits (the sweep covers a lost message)."""
    task_queue_on_commit(send_outbox_email, outbox_id)


def outbox_sweep_queue() -> None:
    """Queue one sweep of fresh rows when the caller commits (after notify_many's bulk insert)."""
    task_queue_on_commit(sweep_outbox, fresh=True)
