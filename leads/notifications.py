"""Leads program messages (stages 2 and 3, corrections) through the platform's notifications.

Every call runs inside the caller's transaction: the platform writes the inbox entry and the outbox
row there and sends after commit, so a rolled-back placement never emails anyone.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from accounts.models import Account
from plexus_office.platform.notifications import notify_many

if TYPE_CHECKING:
    from leads.selectors import LeadRow, SponsorRow

EVENT_LEAD_NEW_SPONSOR = "leads_new_sponsor"  # stage 2: to the lead
EVENT_SPONSOR_NEW_LEADS = "leads_new_leads"  # stage 3: to the sponsor (email + dashboard inbox)
EVENT_CORRECTION_SUBMITTED = "leads_correction_submitted"
EVENT_CORRECTION_APPROVED = "leads_correction_approved"
EVENT_CORRECTION_REJECTED = "leads_correction_rejected"
EVENT_CORRECTION_SPONSOR_GAINED = "leads_correction_sponsor_gained"
EVENT_CORRECTION_SPONSOR_LOST = "leads_correction_sponsor_lost"


def contact(account: Account | LeadRow | SponsorRow) -> dict[str, Any]:
    """What a sponsor and a lead may see of each other: name, number and how to reach them."""
    return {"number": account.number, "name": account.name, "email": account.email, "phone": account.phone}


def _send(items: list[tuple[Account, str, dict[str, Any], str]]) -> None:
    notify_many(items=[{"recipient": r, "event": e, "context": c, "link": link} for r, e, c, link in items])


def placements_notify(*, batches: list[tuple[SponsorRow, list[LeadRow]]], as_of: date) -> None:
    """Stage 2 to every lead (their new sponsor's contact) and stage 3 to every sponsor (one per batch)."""
    ids = [s.id for s, _l in batches] + [lead.id for _s, leads in batches for lead in leads]
    # Only what the messages need: 100k full Account rows would cost seconds of model building.
    accounts = Account.objects.only("id", "number", "name", "email", "phone").in_bulk(ids)
    items: list[tuple[Account, str, dict[str, Any], str]] = []
    for sponsor, leads in batches:
        # Each lead's place in the sponsor's team tree (the search shows the path from the top).
        lead_contacts = [
            {**contact(lead), "country": lead.country, "tree_link": f"/team/?q={lead.number}"}
            for lead in leads
        ]
        items.append(
            (
                accounts[sponsor.id],
                EVENT_SPONSOR_NEW_LEADS,
                {"leads": lead_contacts, "count": len(leads), "as_of": as_of.isoformat()},
                lead_contacts[0]["tree_link"] if len(lead_contacts) == 1 else "/team/",
            )
        )
        sponsor_contact = {**contact(sponsor), "country": sponsor.country}
        for lead in leads:
            items.append(
                (
                    accounts[lead.id],
                    EVENT_LEAD_NEW_SPONSOR,
                    {"sponsor": sponsor_contact, "as_of": as_of.isoformat()},
                    "/",
                )
            )
    _send(items)


def send(recipient: Account, event: str, context: dict[str, Any], link: str = "") -> None:
    _send([(recipient, event, context, link)])
