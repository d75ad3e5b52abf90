"""Reads for the members' inbox."""

from __future__ import annotations

from typing import Any

from plexus_office.platform.models import InboxEntry
from plexus_office.platform.notifications import render_deferred_entries

MAX_PAGE = 100


def inbox_unread_count(*, account: Any) -> int:
    # One count over the (account, read_at) index.
    return InboxEntry.objects.filter(account=account, read_at__isnull=True).count()


def inbox_page(*, account: Any, limit: int = 20, offset: int = 0) -> list[InboxEntry]:
    """Newest first. ``limit`` is capped so a crafted URL cannot ask for the whole table."""
    if limit < 1 or offset < 0:
        raise ValueError("limit must be at least 1 and offset at least 0")
    limit = min(limit, MAX_PAGE)
    entries = list(
        InboxEntry.objects.filter(account=account).order_by("-created_at", "-id")[offset : offset + limit]
    )
    # Entries written by notify_many are rendered on first display (no query when none are pending).
    for entry in entries:
        entry.account = account
    render_deferred_entries(entries)
    return entries
