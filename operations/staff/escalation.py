"""``escalation_digest_send``: every business morning, one digest per staff group of the items in
its queues that are overdue or due today, to each active member of the group (email + staff inbox).

Once per group and day by construction: the ``EscalationDigest`` row (unique group + day) is
inserted first, in the same transaction as the inbox entries and outbox rows, so a second run (a
redelivered task, a manual rerun, two beat instances) finds the row and sends nothing; a crash
rolls the row back with the messages and the next run sends them. Emails leave after commit.
A group with nothing overdue or due today gets no message that day (the row is still written).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from leads.selectors import DUE_AFTER_DAYS
from operations.models import EscalationDigest, StaffInboxEntry
from operations.staff.leads_figures import leads_waiting
from operations.staff.queues import QUEUES, QueueSpec
from plexus_office import clock
from plexus_office.platform.business_days import is_business_day
from plexus_office.platform.notifications import notify_address
from plexus_office.platform.roles import LEADS_OPERATIONS, STAFF_GROUPS

EVENT = "operations_escalation_digest"
ITEMS_PER_QUEUE = 50


@dataclass
class DigestSection:
    label: str
    url: str
    overdue_count: int = 0
    due_today_count: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)  # overdue first, oldest first
    note: str = ""

    @property
    def total(self) -> int:
        return self.overdue_count + self.due_today_count


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _queue_section(spec: QueueSpec, today: date) -> DigestSection:
    due = spec.open_items().filter(due_on__lte=today)
    counts = spec.live_counts(today=today, user=None)
    section = DigestSection(
        label=spec.label,
        url=_site(f"{reverse(spec.changelist)}?{spec.open_params}&due=overdue"),
        overdue_count=counts["overdue"],
        due_today_count=counts["due_today"],
    )
    opts = spec.model._meta
    for item in due.select_related("assignee").order_by("due_on", "pk")[:ITEMS_PER_QUEUE]:
        late = (today - item.due_on).days
        section.items.append(
            {
                "title": str(item),
                "due_on": item.due_on,
                "overdue": late > 0,
                "days_late": late,
                "assignee": item.assignee.get_username() if item.assignee else "unassigned",
                "url": _site(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk])),
            }
        )
    return section


def digest_sections(*, group: str, today: date) -> list[DigestSection]:
    sections = [_queue_section(spec, today) for spec in QUEUES if spec.group == group]
    if group == LEADS_OPERATIONS:
        waiting = leads_waiting(today=today)
        if waiting["due"]:
            sections.append(
                DigestSection(
                    label="Leads due for placement but not placed",
                    url=_site(reverse("admin:leads_leadrun_changelist")),
                    overdue_count=waiting["due"],
                    note=f"{waiting['due']:,} leads have waited {DUE_AFTER_DAYS}+ days under “2”; "
                    f"the longest for {waiting['oldest_days']:,} days. Start a dry run to see why.",
                )
            )
    return [s for s in sections if s.total]


def escalation_digest_send(*, as_of: date | None = None) -> list[EscalationDigest]:
    """Send today's digests that have not been sent; returns the digests written by this call."""
    today = clock.today(as_of)
    if not is_business_day(today):
        return []
    written = []
    for group in STAFF_GROUPS:
        if EscalationDigest.objects.filter(group=group, day=today).exists():
            continue
        try:
            with transaction.atomic():
                digest = EscalationDigest.objects.create(group=group, day=today)
                _send_group(digest)
        except IntegrityError:
            continue  # another run wrote this group's digest at the same moment
        written.append(digest)
    return written


def _send_group(digest: EscalationDigest) -> None:
    sections = digest_sections(group=digest.group, today=digest.day)
    digest.overdue = sum(s.overdue_count for s in sections)
    digest.due_today = sum(s.due_today_count for s in sections)
    if sections:
        users = (
            get_user_model()
            .objects.filter(groups__name=digest.group, is_active=True, is_staff=True)
            .order_by("pk")
            .distinct()
        )
        context = {
            "group": digest.group,
            "day": digest.day,
            "sections": sections,
            "overdue": digest.overdue,
            "due_today": digest.due_today,
            "admin_url": _site(reverse("admin:index")),
        }
        title = " ".join(render_to_string(f"emails/{EVENT}.subject.txt", context).split())
        body = render_to_string(f"emails/{EVENT}.txt", context).strip()
        for user in users:
            StaffInboxEntry.objects.create(user=user, event=EVENT, title=title, body=body)
            if user.email:
                notify_address(
                    email=user.email,
                    name=user.get_full_name() or user.get_username(),
                    event=EVENT,
                    context=context,
                    key=f"escalation-{digest.pk}-{user.pk}",
                )
            digest.recipients += 1
    digest.save(update_fields=["overdue", "due_today", "recipients"])
