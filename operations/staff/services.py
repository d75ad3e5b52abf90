"""Writes of the staff workspace."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import Account
from operations.models import ContactChannel, ContactNote
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.errors import Refused

NOTE_MAX_CHARS = 5000


def contact_note_add(*, account: Account, channel: str, text: str, actor: Any) -> ContactNote:
    """Record a contact with the member; it stays on the member's service log."""
    if actor is None or not getattr(actor, "pk", None):
        raise Refused("actor_required", "a signed-in staff user is required to add a note", field="actor")
    if channel not in ContactChannel.values:
        raise Refused(
            "bad_channel", f"channel: choose one of {', '.join(ContactChannel.values)}", field="channel"
        )
    body = (text or "").strip()
    if not body:
        raise Refused("note_required", "text: write what was said or done", field="text")
    if len(body) > NOTE_MAX_CHARS:
        raise Refused(
            "note_too_long", f"text: at most {NOTE_MAX_CHARS} characters (got {len(body)})", field="text"
        )
    with transaction.atomic():
        note = ContactNote.objects.create(account=account, channel=channel, text=body, created_by=actor)
        audit_record(
            actor=actor, obj=note, action=AuditAction.CONTACT_NOTE_ADDED, note=f"on account #{account.number}"
        )
    return note
