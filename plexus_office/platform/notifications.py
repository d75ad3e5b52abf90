"""Notifications: a dashboard inbox entry and an email, written in the caller's transaction.

Nothing leaves before the caller commits: the send is queued with ``transaction.on_commit``, so a
rolled-back change sends nothing. The outbox row is what guarantees delivery; the queued task is
only the fast path (the beat sweep picks up anything the broker lost).

Templates per event: ``templates/emails/<event>.subject.txt``, ``<event>.txt`` and ``<event>.html``
(the HTML one is optional), rendered now with ``context`` plus ``recipient`` and ``site_url``. Event
templates extend ``emails/base.txt`` / ``emails/base.html``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from plexus_office.platform.models import EmailOutbox, InboxEntry, OutboxState

_EVENT = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")


class NotificationError(ValueError):
    pass


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Notification:
    inbox: InboxEntry | None
    email: EmailOutbox | None


def render_event(event: str, context: dict[str, Any]) -> Rendered:
    if not _EVENT.match(event or ""):
        raise NotificationError(f"event: {event!r} is not a valid event name (lowercase, digits, _ and /)")
    ctx = {"site_url": settings.SITE_URL.rstrip("/"), **context}
    try:
        subject: str = render_to_string(f"emails/{event}.subject.txt", ctx)
        text = render_to_string(f"emails/{event}.txt", ctx)
    except TemplateDoesNotExist as exc:
        raise NotificationError(f"event: no email template {exc} for {event!r}") from exc
    try:
        html: str = render_to_string(f"emails/{event}.html", ctx)
    except TemplateDoesNotExist:
        html = ""
    # A subject is one line whatever the template's whitespace.
    subject = " ".join(subject.split())[:300]
    return Rendered(subject=subject, text=text.strip() + "\n", html=html.strip())


def _queue_send(outbox_id: int) -> None:
    from plexus_office.platform.tasks import send_outbox_email

    def _send() -> None:
        try:
            send_outbox_email.delay(outbox_id)
        except Exception:  # noqa: BLE001 - a broker outage must not fail the committed change
            # The row stays pending; the beat sweep sends it.
            import logging

            logging.getLogger(__name__).warning("could not queue outbox email %s; the sweep will", outbox_id)

    transaction.on_commit(_send)


def _absolute(link: str) -> str:
    if link.startswith("/"):
        return settings.SITE_URL.rstrip("/") + link
    return link


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
    rendered = render_event(event, {**context, "recipient": recipient, "link": _absolute(link)})
    entry = InboxEntry.objects.create(
        account=recipient, event=event, title=rendered.subject, body=rendered.text, link=link
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
        _queue_send(email.pk)
    return Notification(inbox=entry, email=email)


def notify_address(
    *, email: str, event: str, context: dict[str, Any], name: str = "", key: str = ""
) -> EmailOutbox:
    """Email an address that has no inbox (e.g. confirming a new address, telling the old one)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(email)
    except ValidationError:
        raise NotificationError(f"email: {email!r} is not a valid email address") from None
    if key:
        existing = EmailOutbox.objects.filter(key=key).first()
        if existing is not None:
            return existing
    rendered = render_event(event, {**context, "email": email})
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
    _queue_send(row.pk)
    return row


def _queue_sweep() -> None:
    from plexus_office.platform.tasks import sweep_outbox

    def _send() -> None:
        try:
            sweep_outbox.delay(fresh=True)
        except Exception:  # noqa: BLE001 - the beat sweep runs every minute anyway
            import logging

            logging.getLogger(__name__).warning("could not queue the outbox sweep; beat will run it")

    transaction.on_commit(_send)


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
        if not _EVENT.match(event or ""):
            raise NotificationError(f"event: {event!r} is not a valid event name")
        context = dict(item.get("context") or {})
        link = item.get("link", "") or ""
        entries.append(
            InboxEntry(account_id=recipient.pk, event=event, title="", body="", link=link, context=context)
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
        _queue_sweep()
    return len(emails)


def _check_deferred_events(events: set[str]) -> None:
    for event in events:
        # Rendering is deferred, so check now that the templates exist (a typo fails the caller).
        if not _EVENT.match(event or ""):
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
    from django.db import connection

    inbox = connection.ops.quote_name(InboxEntry._meta.db_table)
    outbox = connection.ops.quote_name(EmailOutbox._meta.db_table)
    sql = (
        f"WITH items AS MATERIALIZED ({items_sql}), "  # noqa: S608 - table names from _meta
        f"inbox AS (INSERT INTO {inbox} (account_id, event, title, body, link, context, created_at) "
        f"SELECT account_id, event, '', '', link, context, %s FROM items) "
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
        _queue_sweep()
    return written


def render_deferred_email(row: EmailOutbox) -> None:
    """Fill a notify_many row's subject and bodies from its stored context (idempotent)."""
    if row.context is None or row.body_text:
        return
    context = dict(row.context)
    link = context.pop("_link", "")
    recipient = row.account
    rendered = render_event(row.event, {**context, "recipient": recipient, "link": _absolute(link)})
    row.subject, row.body_text, row.body_html = rendered.subject, rendered.text, rendered.html
    EmailOutbox.objects.filter(pk=row.pk).update(
        subject=row.subject, body_text=row.body_text, body_html=row.body_html
    )


def render_deferred_entries(entries: list[InboxEntry]) -> None:
    """Render notify_many inbox entries on first display and keep the result."""
    for entry in entries:
        if entry.context is None or entry.title:
            continue
        rendered = render_event(
            entry.event, {**entry.context, "recipient": entry.account, "link": _absolute(entry.link)}
        )
        entry.title, entry.body = rendered.subject, rendered.text
        InboxEntry.objects.filter(pk=entry.pk).update(title=entry.title, body=entry.body)
