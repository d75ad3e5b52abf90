"""Sending outbox emails exactly once, retrying when the mail server fails.

A send is claimed by one conditional UPDATE (pending, or failed with its retry due, or "sending" for
longer than ``STALE_AFTER`` because a worker died) -> sending; whoever loses the race sends nothing.
Operational times here are wall-clock (``timezone.now()``), not the business clock: a frozen
business day must not stop retries from falling due.

The one remaining window is a worker killed after the server accepted the message but before the
row is marked sent: the stale claim is retried and the message goes again with the same Message-ID,
which receiving servers and clients use to drop the duplicate.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone

from plexus_office.platform.audit import audit_record
from plexus_office.platform.models import EmailOutbox, OutboxState
from plexus_office.platform.notifications import render_deferred_email

STALE_AFTER = timedelta(minutes=10)
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 3600
MAX_ATTEMPTS = 12
SWEEP_BATCH = 500
# A row younger than this is still on its on_commit fast path; the sweep leaves it alone.
SWEEP_GRACE = timedelta(minutes=1)

# Mail-server trouble that is worth retrying; anything else is a bug and propagates.
RETRYABLE = (smtplib.SMTPException, OSError)


def backoff_seconds(attempts: int) -> int:
    """60 s, 120 s, 240 s ... capped at one hour."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


def claimable(now) -> Q:
    return (
        Q(state=OutboxState.PENDING)
        | Q(state=OutboxState.FAILED, next_attempt_at__isnull=False, next_attempt_at__lte=now)
        | Q(state=OutboxState.SENDING, claimed_at__lt=now - STALE_AFTER)
    )


def _message(row: EmailOutbox) -> EmailMultiAlternatives:
    to = f"{row.to_name} <{row.to_email}>" if row.to_name else row.to_email
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "plexus.example"
    msg = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": f"<{row.key}@{domain}>", "X-Plexus-Event": row.event},
        connection=get_connection(fail_silently=False),
    )
    if row.body_html:
        msg.attach_alternative(row.body_html, "text/html")
    return msg


def outbox_send(*, outbox_id: int) -> tuple[str, int]:
    """Send one row if it is ours to send. Returns ``(outcome, retry_in_seconds)``.

    outcome: "sent", "skipped" (already sent, or another worker holds it), "retry" (mail server
    failed, next attempt scheduled) or "failed" (gave up after MAX_ATTEMPTS).
    """
    now = timezone.now()
    claimed = (
        EmailOutbox.objects.filter(pk=outbox_id)
        .filter(claimable(now))
        .update(state=OutboxState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped", 0
    row = EmailOutbox.objects.select_related("account").get(pk=outbox_id)
    render_deferred_email(row)
    mine = EmailOutbox.objects.filter(pk=outbox_id, state=OutboxState.SENDING, claimed_at=now)
    try:
        _message(row).send()
    except RETRYABLE as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            mine.update(state=OutboxState.FAILED, last_error=error, next_attempt_at=None)
            return "failed", 0
        delay = backoff_seconds(row.attempts)
        mine.update(
            state=OutboxState.FAILED, last_error=error, next_attempt_at=now + timedelta(seconds=delay)
        )
        return "retry", delay
    mine.update(state=OutboxState.SENT, sent_at=timezone.now(), next_attempt_at=None)
    return "sent", 0


def outbox_due_ids(*, limit: int = SWEEP_BATCH) -> list[int]:
    """Rows left behind: never queued or lost by the broker, retry due, or a dead worker's claim."""
    now = timezone.now()
    due = claimable(now) & ~Q(state=OutboxState.PENDING, created_at__gt=now - SWEEP_GRACE)
    return list(EmailOutbox.objects.filter(due).order_by("id").values_list("id", flat=True)[:limit])


def outbox_resend(*, outbox_ids: list[int], actor) -> int:
    """Staff "resend": put failed (or sent) rows back to pending and queue them. Returns the count."""
    from plexus_office.platform.notifications import _queue_send

    rows = list(EmailOutbox.objects.filter(pk__in=outbox_ids).exclude(state=OutboxState.SENDING))
    count = 0
    for row in rows:
        if EmailOutbox.objects.filter(pk=row.pk, state=row.state).update(
            # A fresh retry budget: staff resend after fixing the cause (address, mail server).
            state=OutboxState.PENDING,
            next_attempt_at=None,
            claimed_at=None,
            attempts=0,
        ):
            audit_record(actor=actor, obj=row, action="resend", changes={"state": (row.state, "pending")})
            _queue_send(row.pk)
            count += 1
    return count
