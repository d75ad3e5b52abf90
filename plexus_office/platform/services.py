"""Writes for the members' inbox (the rest of the platform's services live in their modules)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from plexus_office.platform.models import InboxEntry


def inbox_mark_read(*, account: Any, entry_ids: Iterable[int | str] | None = None) -> int:
    """Mark the account's own entries read (all unread ones when ``entry_ids`` is None).

    Ids of other members' entries are ignored, never touched. Returns how many changed. Reading a
    notification is not audited: it changes nothing but the reader's own badge.
    """
    rows = InboxEntry.objects.filter(account=account, read_at__isnull=True)
    if entry_ids is not None:
        try:
            ids = [int(i) for i in entry_ids]
        except (TypeError, ValueError):
            raise ValueError("entry_ids: must be entry numbers") from None
        rows = rows.filter(pk__in=ids)
    with transaction.atomic():
        return rows.update(read_at=timezone.now())
