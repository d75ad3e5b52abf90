"""The member's service log: one timeline of everything that happened to a member.

Six sources, each read newest first through an index on the member (or on the objects that belong
to the member: refunds, clear requests, sponsor corrections, cards), merged in memory and cut to
one page. Page ``p`` reads at most ``p * per_page + 1`` rows of each source, so the first pages
cost six small indexed queries plus the one that finds the member's objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q
from django.utils import timezone
from django_fsm_log.models import StateLog

from accounts.models import Account, SavedCard, Sponsorship
from clearing.models import ClearRequest
from leads.models import SponsorCorrection
from operations.models import ContactNote
from plexus_office.platform.models import EmailOutbox, InboxEntry
from refunds.models import Refund

KINDS: dict[str, str] = {
    "note": "Staff notes",
    "transition": "Transitions",
    "audit": "Audit",
    "email": "Emails",
    "inbox": "Inbox",
    "sponsor": "Sponsor changes",
}
PER_PAGE = 25


@dataclass
class LogEntryRow:
    when: datetime
    kind: str
    title: str
    who: str = ""
    detail: str = ""
    email: EmailOutbox | None = None
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


@dataclass
class LogPage:
    rows: list[LogEntryRow]
    kind: str
    page: int
    has_next: bool
    counts: dict[str, int]


def _related_objects(account: Account) -> list[tuple[ContentType, list[int]]]:
    """The member's own objects that have a trail, by content type (one query per model)."""
    pairs: list[tuple[type[Model], Q]] = [
        (Refund, Q(account=account)),
        (ClearRequest, Q(requester=account) | Q(member=account)),
        (SponsorCorrection, Q(account=account)),
        (SavedCard, Q(account=account)),
    ]
    out = []
    for model, q in pairs:
        ids = list(model._default_manager.filter(q).values_list("pk", flat=True)[:1000])
        if ids:
            out.append((ContentType.objects.get_for_model(model), ids))
    return out


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _who(user: Any, fallback: str = "system") -> str:
    return user.get_username() if user is not None else fallback


class _Sources:
    def __init__(self, account: Account) -> None:
        self.account = account
        self.related = _related_objects(account)

    def audit_q(self) -> Q:
        q = Q(content_type=ContentType.objects.get_for_model(Account), object_pk=str(self.account.pk))
        for ct, ids in self.related:
            q |= Q(content_type=ct, object_pk__in=[str(i) for i in ids])
        return q

    def transitions_q(self) -> Q | None:
        q = None
        for ct, ids in self.related:
            if ct.model_class() is SavedCard:
                continue
            part = Q(content_type=ct, object_id__in=ids)
            q = part if q is None else q | part
        return q

    def querysets(self) -> dict[str, Any]:
        account = self.account
        transitions = self.transitions_q()
        return {
            "note": ContactNote.objects.filter(account=account)
            .select_related("created_by")
            .order_by("-created_at", "-id"),
            "transition": (
                StateLog.objects.filter(transitions)
                .select_related("by", "content_type")
                .order_by("-timestamp", "-id")
                if transitions is not None
                else StateLog.objects.none()
            ),
            "audit": LogEntry.objects.filter(self.audit_q())
            .select_related("actor", "content_type")
            .order_by("-timestamp", "-id"),
            "email": EmailOutbox.objects.filter(account=account).order_by("-created_at", "-id"),
            "inbox": InboxEntry.objects.filter(account=account).order_by("-created_at", "-id"),
            "sponsor": Sponsorship.objects.filter(account=account)
            .select_related("sponsor", "created_by")
            .order_by("-valid_from", "-id"),
        }


def _row(kind: str, obj: Any) -> LogEntryRow:
    if kind == "note":
        return LogEntryRow(
            when=obj.created_at,
            kind=kind,
            title=f"{obj.get_channel_display()} contact",
            who=_who(obj.created_by, "unknown"),
            detail=obj.text,
        )
    if kind == "transition":
        model = obj.content_type.model_class()
        name = model._meta.verbose_name.capitalize() if model else obj.content_type.model
        return LogEntryRow(
            when=obj.timestamp,
            kind=kind,
            title=f"{name} #{obj.object_id}: {obj.transition.replace('_', ' ')} "
            f"({obj.source_state or '—'} → {obj.state})",
            who=_who(obj.by),
            detail=obj.description or "",
        )
    if kind == "audit":
        extra = obj.additional_data if isinstance(obj.additional_data, dict) else {}
        model = obj.content_type.model_class()
        what = model._meta.verbose_name.capitalize() if model else obj.content_type.model
        action = extra.get("action") or obj.get_action_display()
        return LogEntryRow(
            when=obj.timestamp,
            kind=kind,
            title=f"{what}: {str(action).replace('_', ' ')}",
            who=_who(obj.actor, obj.actor_email or "system"),
            detail=extra.get("note", "") or "",
            changes=obj.changes_dict if hasattr(obj, "changes_dict") else (obj.changes or {}),
        )
    if kind == "email":
        attempts = f"{obj.attempts} attempt{'s' if obj.attempts != 1 else ''}"
        return LogEntryRow(
            when=obj.created_at,
            kind=kind,
            title=obj.subject or obj.event,
            who=f"to {obj.to_email}",
            detail=f"{obj.get_state_display()}, {attempts}"
            + (f"; last error: {obj.last_error}" if obj.last_error else ""),
            email=obj,
        )
    if kind == "inbox":
        read = f"read {timezone.localtime(obj.read_at):%Y-%m-%d %H:%M}" if obj.read_at else "unread"
        return LogEntryRow(when=obj.created_at, kind=kind, title=obj.title or obj.event, who="", detail=read)
    # sponsor
    period = f"from {obj.valid_from}" + (f" to {obj.valid_to}" if obj.valid_to else " (current)")
    ended = f"; ended: {obj.get_end_reason_display()}" if obj.end_reason else ""
    return LogEntryRow(
        when=_aware(obj.valid_from),
        kind=kind,
        title=f"Sponsor {obj.sponsor}: {obj.get_reason_display()}",
        who=_who(obj.created_by),
        detail=f"{period}{ended}",
    )


def service_log(*, account: Account, kind: str = "", page: int = 1, per_page: int = PER_PAGE) -> LogPage:
    """One page of the timeline, newest first; ``kind`` one of ``KINDS`` or blank for all."""
    kind = kind if kind in KINDS else ""
    page = max(1, page)
    sources = _Sources(account).querysets()
    counts = {name: qs.count() for name, qs in sources.items()}
    wanted = page * per_page + 1
    rows: list[LogEntryRow] = []
    for name, qs in sources.items():
        if kind and name != kind:
            continue
        rows.extend(_row(name, obj) for obj in qs[:wanted])
    rows.sort(key=lambda r: r.when, reverse=True)
    start = (page - 1) * per_page
    return LogPage(
        rows=rows[start : start + per_page],
        kind=kind,
        page=page,
        has_next=len(rows) > start + per_page,
        counts=counts,
    )
