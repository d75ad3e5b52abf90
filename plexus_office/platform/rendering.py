"""Rendering notification templates, now (``notify``) or deferred to first use (``notify_many``).

Below ``outbox`` and ``notifications`` in the platform's own layering: the outbox renders a deferred
email just before sending it without importing the module that queues sends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext

from plexus_office.platform.models import EmailOutbox, InboxEntry

EVENT_NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")


class NotificationError(ValueError):
    pass


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    # The inbox entry: a sentence or two of HTML with relative links (see render_inbox_summary).
    inbox: str = ""


def recipient_language(recipient: Any) -> str:
    """The language a notification to ``recipient`` is written in: their saved preference."""
    code = getattr(recipient, "preferred_language", "") or ""
    return code if code in {c for c, _ in settings.LANGUAGES} else settings.LANGUAGE_CODE


def render_event(
    event: str, context: dict[str, Any], *, language: str | None = None, inbox: bool = True
) -> Rendered:
    """Render an event's subject, text, HTML and (``inbox``) inbox summary in ``language`` (default:
    the recipient's, else the active language), with the locale's date and number formats."""
    if not EVENT_NAME.match(event or ""):
        raise NotificationError(f"event: {event!r} is not a valid event name (lowercase, digits, _ and /)")
    if language is None:
        recipient = context.get("recipient")
        language = recipient_language(recipient) if recipient is not None else translation.get_language()
    with translation.override(language):
        return _render_event(event, context, inbox=inbox)


def _render_event(event: str, context: dict[str, Any], *, inbox: bool) -> Rendered:
    ctx = {"site_url": settings.SITE_URL.rstrip("/"), **context}
    try:
        subject: str = render_to_string(f"emails/{event}.subject.txt", ctx)
        text: str = render_to_string(f"emails/{event}.txt", ctx)
    except TemplateDoesNotExist as exc:
        raise NotificationError(f"event: no email template {exc} for {event!r}") from exc
    try:
        html: str = render_to_string(f"emails/{event}.html", ctx)
    except TemplateDoesNotExist:
        html = ""
    # A subject is one line whatever the template's whitespace.
    subject = " ".join(subject.split())[:300]
    text = text.strip() + "\n"
    return Rendered(
        subject=subject,
        text=text,
        html=html.strip(),
        inbox=render_inbox_summary(event, ctx, text=text) if inbox else "",
    )


SUMMARY_LENGTH = 300


def render_inbox_summary(event: str, context: dict[str, Any], *, text: str) -> str:
    """The inbox entry's HTML: ``emails/<event>.inbox.html`` when the event has one, else the first
    paragraph of the email's text (after the greeting), escaped and shortened.

    Summary templates render with ``site_url`` empty and ``link`` relative, so every link they hold
    stays on the site the member is reading (the email's absolute links are for mail clients).
    """
    ctx = {**context, "site_url": "", "link": relative_link(str(context.get("link") or ""))}
    try:
        return render_to_string(f"emails/{event}.inbox.html", ctx).strip()
    except TemplateDoesNotExist:
        pass
    recipient = context.get("recipient")
    name = getattr(recipient, "name", "") or ""
    greeting = gettext("Hello %(name)s,") % {"name": name} if name else None
    site = settings.SITE_URL.rstrip("/")
    for paragraph in text.split("\n\n"):
        paragraph = " ".join(paragraph.split())
        if paragraph and paragraph != greeting:
            shortened = Truncator(paragraph.replace(site + "/", "/")).chars(SUMMARY_LENGTH)
            return f"<p>{escape(shortened)}</p>"
    return ""


def relative_link(link: str) -> str:
    """``link`` without this site's origin (other sites' links are kept as they are)."""
    site = settings.SITE_URL.rstrip("/")
    if link.startswith(site + "/"):
        return link[len(site) :]
    return link


def absolute_link(link: str) -> str:
    if link.startswith("/"):
        return settings.SITE_URL.rstrip("/") + link
    return link


def render_deferred_email(row: EmailOutbox) -> None:
    """Fill a notify_many row's subject and bodies from its stored context (idempotent)."""
    if row.context is None or row.body_text:
        return
    context = dict(row.context)
    link = context.pop("_link", "")
    recipient = row.account
    rendered = render_event(
        row.event, {**context, "recipient": recipient, "link": absolute_link(link)}, inbox=False
    )
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
            entry.event, {**entry.context, "recipient": entry.account, "link": absolute_link(entry.link)}
        )
        entry.title, entry.body, entry.summary = rendered.subject, rendered.text, rendered.inbox
        InboxEntry.objects.filter(pk=entry.pk).update(
            title=entry.title, body=entry.body, summary=entry.summary
        )
