"""Selectors for a Leads run's admin page: its placements, unplaced leads and the emails it caused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q

from accounts.models import Account
from leads.models import LeadPlacement, LeadRun
from leads.notifications import EVENT_LEAD_NEW_SPONSOR, EVENT_SPONSOR_NEW_LEADS
from plexus_office.platform.models import EmailOutbox

PER_PAGE = 100

REASON_TEXT = {
    "not_due": "Not due yet: listed under “2” less than 14 days ago",
    "no_qualified_sponsor": "No ambassador qualifies as a lead sponsor today",
    "no_open_sponsor": "Every qualified sponsor already had a batch this half-month",
    "only_sponsors_in_own_downline": "The only open sponsors are in the lead's own downline (a loop)",
    "cancelled": "Account cancelled",
    "not_a_lead": "Retail customer: the program places ambassadors and VIP customers",
    "correction_pending": "A sponsor correction request is waiting for Customer Service",
    "in_progress": "Held by another run at the same moment; the next run takes it",
}


@dataclass
class RunRow:
    lead_number: int
    lead_name: str
    lead_country: str
    sponsor_number: int | None = None
    sponsor_name: str = ""
    same_country: bool | None = None
    reason: str = ""

    @property
    def reason_text(self) -> str:
        return REASON_TEXT.get(self.reason, self.reason)


def _names(numbers: set[int]) -> dict[int, tuple[str, str]]:
    rows = Account.objects.filter(number__in=numbers).values_list("number", "name", "country")
    return {number: (name, country) for number, name, country in rows}


def placements_page(*, run: LeadRun, page: int) -> tuple[Page, list[RunRow]]:
    if run.dry_run:
        items: Any = run.report.get("placements", [])
        current = Paginator(items, PER_PAGE).get_page(page)
        names = _names({n for row in current.object_list for n in row[:2]})
        rows = [
            RunRow(
                lead_number=lead,
                lead_name=names.get(lead, ("", ""))[0],
                lead_country=names.get(lead, ("", ""))[1],
                sponsor_number=sponsor,
                sponsor_name=names.get(sponsor, ("", ""))[0],
                same_country=same,
            )
            for lead, sponsor, same in current.object_list
        ]
        return current, rows
    queryset = (
        LeadPlacement.objects.filter(run=run)
        .select_related("lead", "sponsor")
        .only(
            "same_country", "lead__number", "lead__name", "lead__country", "sponsor__number", "sponsor__name"
        )
        .order_by("sponsor__number", "id")
    )
    current = Paginator(queryset, PER_PAGE).get_page(page)
    rows = [
        RunRow(
            lead_number=p.lead.number,
            lead_name=p.lead.name,
            lead_country=p.lead.country,
            sponsor_number=p.sponsor.number,
            sponsor_name=p.sponsor.name,
            same_country=p.same_country,
        )
        for p in current.object_list
    ]
    return current, rows


def unplaced_page(*, run: LeadRun, page: int, reason: str = "") -> tuple[Page, list[RunRow], dict[str, int]]:
    items = run.report.get("unplaced", [])
    counts: dict[str, int] = {}
    for _number, why in items:
        counts[why] = counts.get(why, 0) + 1
    if reason:
        items = [row for row in items if row[1] == reason]
    current = Paginator(items, PER_PAGE).get_page(page)
    names = _names({row[0] for row in current.object_list})
    rows = [
        RunRow(
            lead_number=number,
            lead_name=names.get(number, ("", ""))[0],
            lead_country=names.get(number, ("", ""))[1],
            reason=why,
        )
        for number, why in current.object_list
    ]
    return current, rows, counts


def run_emails(*, run: LeadRun):
    """The emails the run's placements caused (to each lead and to each sponsor), newest first."""
    if run.dry_run:
        return EmailOutbox.objects.none()
    placed = LeadPlacement.objects.filter(run=run)
    # The placement emails carry the run's day in their (deferred-render) context; a sponsor's or
    # lead's emails from another run have another day (one batch per half-month, one placement per
    # listing).
    return (
        EmailOutbox.objects.filter(
            event__in=[EVENT_LEAD_NEW_SPONSOR, EVENT_SPONSOR_NEW_LEADS], context__as_of=run.as_of.isoformat()
        )
        .filter(Q(account_id__in=placed.values("lead_id")) | Q(account_id__in=placed.values("sponsor_id")))
        .order_by("event", "to_email", "id")
    )
