"""Notifications: a dashboard inbox entry and an email, written in the caller's transaction.

Nothing leaves before the caller commits: the send is queued with ``transaction.on_commit``, so a
rolled-back change sends nothing. The outbox row is what guarantees delivery; the queued task is
only the fast path (the beat sweep picks up anything the broker lost).

Templates per event: ``templates/emails/<event>.subject.txt``, ``<event>.txt`` and ``<event>.html``
(the HTML one is optional), rendered now with ``context`` plus ``recipient`` and ``site_url``. Event
templates extend ``emails/base.txt`` / ``emails/base.html``. The inbox entry shows the optional
``<event>.inbox.html``: a sentence or two in the recipient's language with relative links (without
one, the first paragraph of the text email, escaped). Everything renders in the recipient's
``preferred_language``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone

from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.models import EmailOutbox, InboxEntry, OutboxState
from plexus_office.platform.rendering import (
    EVENT_NAME,
    NotificationError,
    Rendered,
    absolute_link,
    render_deferred_email,
    render_deferred_entries,
    render_event,
)
from plexus_office.platform.tasks import outbox_send_queue, outbox_sweep_queue

__all__ = [
    "NotificationError",
    "Notification",
    "Rendered",
    "notify",
    "notify_address",
    "notify_many",
    "outbox_resend",
    "render_deferred_email",
    "render_deferred_entries",
    "render_event",
]


@dataclass(frozen=True)
class Notification:
    inbox: InboxEntry | None
    email: EmailOutbox | None


def notify(
    *, recipient: Any, event: str, context: dict[str, Any], link: str = "", key: str = ""
) -> Notification:
    """Tell an account holder about ``event``: an inbox entry plus an email when they have an address.

    ``key`` (optional) makes the call idempotent: a second notify with the same key writes nothing
    and returns the first email (for jobs that may run a step twice).
    """
    if recipient is None or not getattr(recipient, "pk", None):
        raise NotificationError("recipient: a saved account is required")
    if key:
        existing = EmailOutbox.objects.filter(key=key).first()
        if existing is not None:
            return Notification(inbox=None, email=existing)
    rendered = render_event(event, {**context, "recipient": recipient, "link": absolute_link(link)})
    entry = InboxEntry.objects.create(
        account=recipient,
        event=event,
        title=rendered.subject,
        body=rendered.text,
        summary=rendered.inbox,
        link=link,
    )
    email = None
    if recipient.email:
        email = EmailOutbox.objects.create(
            to_email=recipient.email,
            to_name=getattr(recipient, "name", "") or "",
            account=recipient,
            event=event,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            **({"key": key} if key else {}),
        )
        outbox_send_queue(email.pk)
    return Notification(inbox=entry, email=email)


def notify_address(
    *,
    email: str,
    event: str,
    context: dict[str, Any],
    name: str = "",
    key: str = "",
    language: str | None = None,
) -> EmailOutbox:
    """Email an address that has no inbox (e.g. confirming a new address, telling the old one).

    ``language``: the one to write in (default: the active language, i.e. the page's)."""
    try:
        validate_email(email)
    except ValidationError:
        raise NotificationError(f"email: {email!r} is not a valid email address") from None
    if key:
        existing = EmailOutbox.objects.filter(key=key).first()
        if existing is not None:
            return existing
    rendered = render_event(event, {**context, "email": email}, language=language, inbox=False)
    row = EmailOutbox.objects.create(
        to_email=email,
        to_name=name,
        event=event,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        created_at=timezone.now(),
        **({"key": key} if key else {}),
    )
    outbox_send_queue(row.pk)
    return row


BULK_CHUNK = 1000


def notify_many(*, items: list[dict[str, Any]]) -> int:
    """Bulk ``notify``: one inbox entry (and one email when the recipient has an address) per item.

    Each item is ``{"recipient", "event", "context", "link"}``; ``context`` must be JSON-serialisable
    because rendering is deferred: the email renders just before it is sent and the inbox entry when it
    is first shown. Written in the caller's transaction with bulk inserts; one sweep is queued on
    commit (and the beat sweep sends anything the broker lost). Returns the number of emails written.
    """
    entries: list[InboxEntry] = []
    emails: list[EmailOutbox] = []
    _check_deferred_events({item["event"] for item in items})
    for item in items:
        recipient = item["recipient"]
        event = item["event"]
        if recipient is None or not getattr(recipient, "pk", None):
            raise NotificationError("recipient: a saved account is required")
        if not EVENT_NAME.match(event or ""):
            raise NotificationError(f"event: {event!r} is not a valid event name")
        context = dict(item.get("context") or {})
        link = item.get("link", "") or ""
        entries.append(
            InboxEntry(
                account_id=recipient.pk,
                event=event,
                title="",
                body="",
                summary="",
                link=link,
                context=context,
            )
        )
        if recipient.email:
            emails.append(
                EmailOutbox(
                    to_email=recipient.email,
                    to_name=getattr(recipient, "name", "") or "",
                    account_id=recipient.pk,
                    event=event,
                    subject="",
                    body_text="",
                    context={**context, "_link": link},
                )
            )
    InboxEntry.objects.bulk_create(entries, batch_size=BULK_CHUNK)
    EmailOutbox.objects.bulk_create(emails, batch_size=BULK_CHUNK)
    if emails:
        outbox_sweep_queue()
    return len(emails)


def _check_deferred_events(events: set[str]) -> None:
    for event in events:
        # Rendering is deferred, so check now that the templates exist (a typo fails the caller).
        if not EVENT_NAME.match(event or ""):
            raise NotificationError(f"event: {event!r} is not a valid event name")
        for suffix in ("subject.txt", "txt"):
            try:
                get_template(f"emails/{event}.{suffix}")
            except TemplateDoesNotExist as exc:
                raise NotificationError(f"event: no email template {exc} for {event!r}") from exc


def notify_many_sql(*, items_sql: str, params: list[Any], events: set[str]) -> int:
    """``notify_many`` for PostgreSQL jobs whose recipients and contexts are already in the database.

    ``items_sql`` is a SELECT of ``(account_id, email, name, event, context jsonb, link)``, one row per
    notification; the inbox entries and outbox rows are written from it by one statement in the
    caller's transaction (same rows as ``notify_many``: deferred rendering, a fresh key per email,
    pending). ``events`` are checked like ``notify_many``'s. Returns the number of emails written.
    """
    _check_deferred_events(events)
    inbox = connection.ops.quote_name(InboxEntry._meta.db_table)
    outbox = connection.ops.quote_name(EmailOutbox._meta.db_table)
    sql = (
        f"WITH items AS MATERIALIZED ({items_sql}), "  # noqa: S608 - table names from _meta
        f"inbox AS (INSERT INTO {inbox} (account_id, event, title, body, summary, link, context, created_at) "
        f"SELECT account_id, event, '', '', '', link, context, %s FROM items) "
        f"INSERT INTO {outbox} (key, to_email, to_name, account_id, event, subject, body_text, body_html, "
        f"context, state, attempts, last_error, created_at) "
        f"SELECT replace(gen_random_uuid()::text, '-', ''), email, name, account_id, event, '', '', '', "
        f"context || jsonb_build_object('_link', link), %s, 0, '', %s FROM items WHERE email <> ''"
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, now, OutboxState.PENDING, now])
        written = cursor.rowcount
    if written:
        outbox_sweep_queue()
    return written


def outbox_resend(*, outbox_ids: list[int], actor: Any) -> int:
    """Staff "resend": put failed (or sent) rows back to pending and queue them. Returns the count."""
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
            audit_record(
                actor=actor, obj=row, action=AuditAction.RESEND, changes={"state": (row.state, "pending")}
            )
            outbox_send_queue(row.pk)
            count += 1
    return count
