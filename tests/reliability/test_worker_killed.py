"""kill -9 of a Celery worker in the middle of a Leads run (real worker processes, Redis broker).

The run is held mid-transaction deterministically, without a hook in our code: the test takes an
EXCLUSIVE lock on the placements table, so the worker's chunk transaction (batches written, leads
moved, history written) blocks on its placement INSERT. The worker is then killed with SIGKILL.
PostgreSQL rolls the orphaned transaction back once it notices the client is gone; the broker hands
the unacknowledged task to a worker again (acks_late + reject_on_worker_lost), and the redelivered
run places what is still due. Notifications of the rolled-back chunk never existed; the ones of the
committed run are sent by the worker through a real SMTP server and counted per Message-ID.
"""

from __future__ import annotations

import time
from datetime import date

import psycopg2
import pytest
import redis
from django.db import connection

from accounts.models import Account
from leads.models import LeadPlacement, LeadRun
from leads.tasks import assign_leads_task
from plexus_office.platform.models import EmailOutbox, OutboxState
from plexus_office.platform.outbox import outbox_due_ids
from tests.leads.builders import lead, qualified_sponsor
from tests.reliability.conftest import wait_until

pytestmark = pytest.mark.postgres

SPONSORS = [1001, 1002, 1003]
LEADS = [5001, 5002, 5003, 5004, 5005, 5006]


@pytest.fixture
def redis_broker(settings):
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        pytest.skip("needs a Redis broker (set CELERY_BROKER_URL=redis://...)")

    # The test owns this broker database: stale messages or unacked entries from an earlier run
    # would be delivered to the test's workers.
    redis.Redis.from_url(url).flushdb()
    return url


def _lock_connection():
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    conn.autocommit = False
    return conn


def _waiting_backend(cur) -> int | None:
    cur.execute("SELECT pid FROM pg_locks WHERE relation = 'leads_leadplacement'::regclass AND NOT granted")
    row = cur.fetchone()
    return row[0] if row else None


def _backend_alive(cur, pid: int) -> bool:
    cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
    return cur.fetchone()[0] == 1


def _due_leads_and_sponsors() -> None:
    for number in SPONSORS:
        qualified_sponsor(number)
    for number in LEADS:
        lead(number, listed=date(2026, 2, 1))


def _kill_mid_chunk(worker) -> None:
    """Queue the run, wait until its chunk transaction blocks on the placements table, then SIGKILL."""
    locker = _lock_connection()
    try:
        with locker.cursor() as cur:
            cur.execute("LOCK TABLE leads_leadplacement IN EXCLUSIVE MODE")
            assign_leads_task.apply_async(args=["2026-03-10"])
            blocked_pid = wait_until(lambda: _waiting_backend(cur), timeout=60, what="the run to block")
            # Mid-run for real: the run row exists and the chunk has moved the leads, uncommitted.
            assert LeadRun.objects.count() == 1
            assert LeadPlacement.objects.count() == 0
            worker()
        locker.commit()  # releases the table lock; the orphaned backend fails and rolls back
        locker.autocommit = True  # pg_stat_activity is a snapshot per transaction: fresh on each poll
        with locker.cursor() as cur:
            wait_until(
                lambda: not _backend_alive(cur, blocked_pid), timeout=30, what="the orphan to roll back"
            )
    finally:
        locker.close()


def _assert_placed_once_and_emailed_once(handler) -> None:
    wait_until(
        lambda: (
            LeadPlacement.objects.count() == len(LEADS)
            and EmailOutbox.objects.exclude(state=OutboxState.SENT).count() == 0
            and len(handler.messages) >= EmailOutbox.objects.count()
        ),
        timeout=60,
        what="every lead placed and every email sent",
    )
    placements = list(LeadPlacement.objects.values_list("lead__number", flat=True))
    assert sorted(placements) == LEADS
    sponsors = dict(Account.objects.filter(number__in=LEADS).values_list("number", "sponsor__number"))
    assert set(sponsors.values()) <= set(SPONSORS)
    # One email to each lead and one to each sponsor who got a batch, each delivered once.
    keys = list(EmailOutbox.objects.values_list("key", flat=True))
    assert len(keys) == len(LEADS) + len(set(sponsors.values()))
    received = handler.per_message_id()
    assert set(received.values()) == {1}
    assert sorted(mid.strip("<>").split("@")[0] for mid in received) == sorted(keys)
    assert outbox_due_ids() == []


def test_a_run_killed_mid_chunk_with_its_pool_child_is_redelivered_and_places_every_lead_once(
    transactional_db, redis_broker, smtp_server, celery_workers
):
    handler, port = smtp_server.handler, smtp_server.port
    _due_leads_and_sponsors()
    worker = celery_workers(email_port=port)

    # The main process sees its child die (WorkerLostError) and rejects the message with requeue.
    _kill_mid_chunk(worker.kill_child)

    _assert_placed_once_and_emailed_once(handler)
    assert LeadRun.objects.count() == 2  # the killed run and the redelivered one
    assert "WorkerLostError" in worker.output()


def test_a_whole_worker_killed_mid_run_loses_nothing_once_a_new_worker_starts(
    transactional_db, redis_broker, smtp_server, celery_workers
):
    handler, port = smtp_server.handler, smtp_server.port
    _due_leads_and_sponsors()
    # Nobody is left to reject the message: Redis hands it out again after the visibility timeout.
    first = celery_workers(email_port=port, visibility_timeout=1)

    _kill_mid_chunk(first.kill_all)
    killed_at = time.monotonic()
    assert LeadPlacement.objects.count() == 0
    # A new worker restores unacknowledged messages older than the timeout when it starts polling.
    wait_until(lambda: time.monotonic() - killed_at > 1.5, timeout=5, what="the visibility timeout")
    celery_workers(email_port=port, visibility_timeout=1)

    _assert_placed_once_and_emailed_once(handler)
    assert LeadRun.objects.count() == 2
