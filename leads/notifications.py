"""Leads program messages (stages 2 and 3, corrections) through the platform's notifications.

Every call runs inside the caller's transaction: the platform writes the inbox entry and the outbox
row there and sends after commit, so a rolled-back placement never emails anyone.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection

from accounts.models import Account
from plexus_office.platform.notifications import notify_many, notify_many_sql

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
    if connection.vendor == "postgresql":
        lead_ids = [lead.id for _s, leads in batches for lead in leads]
        lead_sponsors = [sponsor.id for sponsor, leads in batches for _lead in leads]
        _placements_notify_sql(lead_ids=lead_ids, lead_sponsors=lead_sponsors, day=as_of)
        return
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


def _placements_notify_sql(*, lead_ids: list[int], lead_sponsors: list[int], day: date) -> None:
    """Stage 2 to each lead and stage 3 to each sponsor, contexts built by the database.

    The contexts are the portable path's below: a lead gets its sponsor's contact, a
    sponsor the list of its leads' contacts in plan order.
    """
    accounts = connection.ops.quote_name(Account._meta.db_table)

    def contact_sql(alias: str) -> str:
        return (
            f"jsonb_build_object('number', {alias}.number, 'name', {alias}.name, 'email', {alias}.email, "
            f"'phone', {alias}.phone, 'country', {alias}.country)"
        )

    plan = "unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY AS p(lead_id, sponsor_id, ord)"
    items_sql = (
        f"SELECT s.id AS account_id, s.email, s.name, %s AS event, "  # noqa: S608 - names from _meta
        f"jsonb_build_object('leads', jsonb_agg({contact_sql('l')} || jsonb_build_object('tree_link', "
        f"'/team/?q=' || l.number) ORDER BY p.ord), 'count', count(*), 'as_of', %s::text) AS context, "
        # One lead: the link opens its place in the tree; several: the tree itself (as the ORM path).
        f"CASE WHEN count(*) = 1 THEN '/team/?q=' || min(l.number) ELSE '/team/' END AS link "
        f"FROM {plan} JOIN {accounts} l ON l.id = p.lead_id JOIN {accounts} s ON s.id = p.sponsor_id "
        f"GROUP BY s.id "
        f"UNION ALL "
        f"SELECT l.id, l.email, l.name, %s, "
        f"jsonb_build_object('sponsor', {contact_sql('s')}, 'as_of', %s::text), '/' "
        f"FROM {plan} JOIN {accounts} l ON l.id = p.lead_id JOIN {accounts} s ON s.id = p.sponsor_id"
    )
    as_of = day.isoformat()
    notify_many_sql(
        items_sql=items_sql,
        params=[
            EVENT_SPONSOR_NEW_LEADS,
            as_of,
            lead_ids,
            lead_sponsors,
            EVENT_LEAD_NEW_SPONSOR,
            as_of,
            lead_ids,
            lead_sponsors,
        ],
        events={EVENT_SPONSOR_NEW_LEADS, EVENT_LEAD_NEW_SPONSOR},
    )
