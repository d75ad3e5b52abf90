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

import logging
import re
import smtplib
from collections.abc import Callable
from datetime import timedelta
from email.headerregistry import Address

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone

from plexus_office.platform.models import EmailOutbox, OutboxState
from plexus_office.platform.rendering import render_deferred_email

STALE_AFTER = timedelta(minutes=10)
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 3600
MAX_ATTEMPTS = 12
SWEEP_BATCH = 500
# A row younger than this is still on its on_commit fast path; the sweep leaves it alone.
SWEEP_GRACE = timedelta(minutes=1)

# Mail-server trouble that is worth retrying. Anything else (a malformed address, a template bug)
# cannot get better by retrying: the row is marked failed with the reason, shown in admin.
RETRYABLE = (smtplib.SMTPException, OSError)
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

logger = logging.getLogger(__name__)


class UnsendableEmail(ValueError):
    """The row cannot be sent as it is (its address is not an address)."""


def recipient_header(name: str, email: str) -> str:
    """``To:`` built by the standard library: the display name is quoted and encoded as a name, so
    ``Casey <attacker@evil.example> (`` or ``Smith, John`` can never add or change a recipient."""
    clean_name = CONTROL.sub(" ", name or "").strip()
    try:
        address = Address(addr_spec=(email or "").strip())
    except (ValueError, IndexError, TypeError) as exc:
        raise UnsendableEmail(f"to_email: {email!r} is not an email address ({exc})") from exc
    if not address.username or not address.domain or "," in address.addr_spec:
        raise UnsendableEmail(f"to_email: {email!r} is not an email address")
    return str(Address(display_name=clean_name, username=address.username, domain=address.domain))


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
    to = recipient_header(row.to_name, row.to_email)
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
    failed, next attempt scheduled), "bounced" (the server refused the address for good: the
    member's email is flagged as hard-bounced) or "failed" (gave up after MAX_ATTEMPTS).
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
    mine = EmailOutbox.objects.filter(pk=outbox_id, state=OutboxState.SENDING, claimed_at=now)
    try:
        render_deferred_email(row)
        message = _message(row)
    except Exception as exc:  # noqa: BLE001 - not retryable: recorded on the row, never left "sending"
        logger.exception("outbox row %s cannot be sent", outbox_id)
        mine.update(state=OutboxState.FAILED, last_error=_error_text(exc), next_attempt_at=None)
        return "failed", 0
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        if not _is_hard_bounce(exc):
            return _schedule_retry(mine, row, now, exc)
        # A permanent refusal (5xx) of the address: retrying cannot help; flag the address instead.
        mine.update(state=OutboxState.FAILED, last_error=_error_text(exc), next_attempt_at=None)
        _record_hard_bounce(row)
        return "bounced", 0
    except RETRYABLE as exc:
        return _schedule_retry(mine, row, now, exc)
    except Exception as exc:  # noqa: BLE001 - e.g. a header the mail library refuses: not retryable
        logger.exception("outbox row %s was refused by the mail library", outbox_id)
        mine.update(state=OutboxState.FAILED, last_error=_error_text(exc), next_attempt_at=None)
        return "failed", 0
    mine.update(state=OutboxState.SENT, sent_at=timezone.now(), next_attempt_at=None)
    return "sent", 0


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _is_hard_bounce(exc: smtplib.SMTPRecipientsRefused) -> bool:
    codes = [code for code, _msg in exc.recipients.values()]
    return bool(codes) and all(500 <= code < 600 for code in codes)


HardBounceHook = Callable[[int, str], None]
_hard_bounce_hooks: list[HardBounceHook] = []


def hard_bounce_hook_register(hook: HardBounceHook) -> None:
    """Call ``hook(account_id, email)`` when the mail server refuses an account's address for good.

    The platform knows no domain app: the accounts app registers the hook that flags the address
    (``AccountsConfig.ready``). Registering the same hook twice keeps one.
    """
    if hook not in _hard_bounce_hooks:
        _hard_bounce_hooks.append(hook)


def _record_hard_bounce(row: EmailOutbox) -> None:
    if row.account_id is None:
        return
    for hook in _hard_bounce_hooks:
        hook(row.account_id, row.to_email)


def _schedule_retry(mine, row: EmailOutbox, now, exc: Exception) -> tuple[str, int]:
    error = _error_text(exc)
    if row.attempts >= MAX_ATTEMPTS:
        mine.update(state=OutboxState.FAILED, last_error=error, next_attempt_at=None)
        return "failed", 0
    delay = backoff_seconds(row.attempts)
    mine.update(state=OutboxState.FAILED, last_error=error, next_attempt_at=now + timedelta(seconds=delay))
    return "retry", delay


def outbox_due_ids(*, limit: int = SWEEP_BATCH, fresh: bool = False, after_id: int = 0) -> list[int]:
    """Rows left behind: never queued or lost by the broker, retry due, or a dead worker's claim.

    ``fresh`` includes pending rows inside the grace minute: notify_many's rows have no send of their own.
    """
    now = timezone.now()
    due = claimable(now)
    if not fresh:
        due &= ~Q(state=OutboxState.PENDING, created_at__gt=now - SWEEP_GRACE)
    rows = EmailOutbox.objects.filter(due, id__gt=after_id).order_by("id")
    return list(rows.values_list("id", flat=True)[:limit])
