import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from plexus_office.platform import outbox as outbox_module
from plexus_office.platform.models import EmailOutbox, OutboxState
from plexus_office.platform.notifications import notify
from plexus_office.platform.outbox import STALE_AFTER, backoff_seconds, outbox_due_ids, outbox_send
from plexus_office.platform.tasks import sweep_outbox
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
EVENT = "platform/test_email"


def _queue(n: int, django_capture_on_commit_callbacks) -> list[EmailOutbox]:
    with django_capture_on_commit_callbacks(execute=True):
        emails = [
            notify(recipient=AccountFactory(), event=EVENT, context={"reference": i}).email for i in range(n)
        ]
    queued = [email for email in emails if email is not None]
    assert len(queued) == n, "every notification queues an email"
    return queued


def _later(monkeypatch, minutes: int) -> None:
    """Move the outbox's wall clock forward (retries fall due)."""
    moved = timezone.now() + timedelta(minutes=minutes)
    monkeypatch.setattr(outbox_module.timezone, "now", lambda: moved)


def test_smtp_failing_then_recovering_delivers_every_email_exactly_once(
    smtp_server, eager_celery, django_capture_on_commit_callbacks, monkeypatch
):
    smtp_server.fail_next = 3  # the first three deliveries get "451 try again later"
    rows = _queue(2, django_capture_on_commit_callbacks)
    assert smtp_server.received == []
    assert sorted(EmailOutbox.objects.values_list("state", "attempts")) == [("failed", 1), ("failed", 1)]
    assert "451" in EmailOutbox.objects.first().last_error

    for minutes in (5, 15, 45):
        _later(monkeypatch, minutes)
        with django_capture_on_commit_callbacks(execute=True):
            sweep_outbox()

    assert set(EmailOutbox.objects.values_list("state", flat=True)) == {OutboxState.SENT}
    assert len(smtp_server.received) == 2
    for row in rows:
        assert sum(f"Message-ID: <{row.key}@" in m for m in smtp_server.received) == 1
    assert sorted(EmailOutbox.objects.values_list("attempts", flat=True)) == [2, 3]


def test_email_is_sent_as_text_with_an_html_alternative(
    smtp_server, eager_celery, django_capture_on_commit_callbacks
):
    _queue(1, django_capture_on_commit_callbacks)
    (message,) = smtp_server.received
    assert "multipart/alternative" in message
    assert "text/plain" in message and "text/html" in message


def test_a_claimed_row_is_sent_once_by_two_workers(mailoutbox):
    row = notify(recipient=AccountFactory(), event=EVENT, context={"reference": 1}).email
    assert outbox_send(outbox_id=row.pk) == ("sent", 0)
    assert outbox_send(outbox_id=row.pk) == ("skipped", 0)
    assert len(mailoutbox) == 1


def test_a_row_held_by_a_live_worker_is_not_taken(mailoutbox):
    row = notify(recipient=AccountFactory(), event=EVENT, context={"reference": 1}).email
    EmailOutbox.objects.filter(pk=row.pk).update(state=OutboxState.SENDING, claimed_at=timezone.now())
    assert outbox_send(outbox_id=row.pk) == ("skipped", 0)
    assert mailoutbox == []


def test_a_dead_workers_stale_claim_is_taken_over(mailoutbox):
    row = notify(recipient=AccountFactory(), event=EVENT, context={"reference": 1}).email
    stale = timezone.now() - STALE_AFTER - timedelta(seconds=1)
    EmailOutbox.objects.filter(pk=row.pk).update(state=OutboxState.SENDING, claimed_at=stale, attempts=1)
    assert outbox_send(outbox_id=row.pk) == ("sent", 0)
    assert len(mailoutbox) == 1
    assert EmailOutbox.objects.get(pk=row.pk).attempts == 2


def test_a_failed_send_waits_for_its_backoff(smtp_server):
    smtp_server.fail_next = 1
    row = notify(recipient=AccountFactory(), event=EVENT, context={"reference": 1}).email
    assert outbox_send(outbox_id=row.pk) == ("retry", 60)
    assert outbox_send(outbox_id=row.pk) == ("skipped", 0)  # not due yet
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxState.FAILED, 1)
    assert smtp_server.received == []


def test_backoff_doubles_and_is_capped_at_an_hour():
    assert [backoff_seconds(n) for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]


def test_sweep_picks_up_rows_the_broker_lost_but_not_fresh_ones(monkeypatch):
    row = notify(recipient=AccountFactory(), event=EVENT, context={"reference": 1}).email  # never queued
    assert outbox_due_ids() == []  # still within its on_commit grace minute
    _later(monkeypatch, 2)
    assert outbox_due_ids() == [row.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_workers_send_a_row_once(smtp_server):
    with transaction.atomic():
        row = notify(recipient=AccountFactory(), event=EVENT, context={"reference": 1}).email
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        barrier.wait()
        outcomes.append(outbox_send(outbox_id=row.pk)[0])
        connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(smtp_server.received) == 1
