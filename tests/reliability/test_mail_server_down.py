"""The mail server down for the whole of a Leads run and a few notifications, then back.

Real SMTP server (aiosmtpd) on a free port, stopped during the run (connections refused) and started
again on the same port. Sends run through the real tasks, eagerly: the on-commit sends fail and
schedule a retry; the sweep, once the retry is due, delivers each email once.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Account
from leads.services import leads_assign
from plexus_office.celery import app as celery_app
from plexus_office.platform import outbox
from plexus_office.platform.models import EmailOutbox, OutboxState
from plexus_office.platform.notifications import notify
from plexus_office.platform.tasks import sweep_outbox
from tests.leads.builders import AS_OF, lead, qualified_sponsor

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = old


def _later(monkeypatch, minutes: int) -> None:
    """Move the outbox's wall clock forward, as if the beat sweep ran ``minutes`` later."""
    at = timezone.now() + timedelta(minutes=minutes)
    monkeypatch.setattr(outbox.timezone, "now", lambda: at)


def test_emails_of_a_run_made_while_the_mail_server_is_down_are_delivered_once_when_it_is_back(
    smtp_server, eager_celery, monkeypatch, django_capture_on_commit_callbacks
):
    handler = smtp_server.handler
    qualified_sponsor(1001)
    qualified_sponsor(1002)
    for number in (5001, 5002, 5003):
        lead(number, listed=date(2026, 2, 1))
    member = Account.objects.get(number=10011)
    smtp_server.stop()
    assert not smtp_server.is_up()  # connections refused: really down

    with django_capture_on_commit_callbacks(execute=True):
        result = leads_assign(as_of=AS_OF, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            notify(recipient=member, event="leads_new_leads", context={"leads": [], "count": n}, key=f"k{n}")

    rows = EmailOutbox.objects.order_by("id")
    assert len(result.placements) == 3
    assert rows.count() == 3 + 2 + 2  # each lead, each sponsor, the two notices
    assert set(rows.values_list("state", "attempts")) == {(OutboxState.FAILED, 1)}
    assert all(row.next_attempt_at is not None for row in rows)

    _later(monkeypatch, 2)  # the first retry falls due; the server is still down
    assert sweep_outbox() == 7
    assert set(rows.values_list("state", "attempts")) == {(OutboxState.FAILED, 2)}

    smtp_server.start()  # the mail server is back, on the same address
    _later(monkeypatch, 10)
    assert sweep_outbox() == 7
    _later(monkeypatch, 60)
    assert sweep_outbox() == 0  # nothing left to send, nothing sent twice

    assert set(rows.values_list("state", "attempts")) == {(OutboxState.SENT, 3)}
    received = handler.per_message_id()
    assert set(received.values()) == {1}
    assert sorted(mid.strip("<>").split("@")[0] for mid in received) == sorted(
        rows.values_list("key", flat=True)
    )
