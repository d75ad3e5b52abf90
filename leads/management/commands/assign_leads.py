"""``manage.py assign_leads [--as-of DATE] [--dry-run] [--json]`` (scenarios.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from leads.services import LeadRunResult, leads_assign
from plexus_office import clock
from plexus_office.commands import dumps, parse_as_of


class Command(BaseCommand):
    help = "Place every due lead with a qualified sponsor; --dry-run prints who would get whom and why."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="The business day (YYYY-MM-DD); default today.")
        parser.add_argument("--dry-run", action="store_true", help="Plan only: change nothing.")
        parser.add_argument("--json", action="store_true", help="Print one JSON document.")

    def handle(self, *args, as_of: str | None, dry_run: bool, **options):
        day = parse_as_of(as_of)
        with clock.frozen_at(day):
            result = leads_assign(as_of=day, actor=None, dry_run=dry_run, trigger="command")
        if options["json"]:
            self.stdout.write(dumps(result.as_dict()))
            return
        self._print(result)

    def _print(self, result: LeadRunResult) -> None:
        plan = result.plan
        verb = "would get" if result.dry_run else "got"
        self.stdout.write(
            f"Leads {'dry run' if result.dry_run else 'run'} #{result.run.pk} as of {result.as_of} "
            f"(half-month from {plan.half_month_start}): {len(plan.sponsors)} qualified sponsors, "
            f"{len(plan.open_sponsors)} open, {len(result.placements)} placements"
        )
        by_sponsor: dict[int, list] = {}
        for placed in result.placements:
            by_sponsor.setdefault(placed.sponsor_id, []).append(placed)
        leads = {lead.id: lead for lead in plan.leads}
        for position, sponsor in enumerate(plan.sponsors, start=1):
            waited = sponsor.waiting_days(result.as_of)
            wait = (
                "never had leads"
                if waited is None
                else f"last batch {sponsor.last_lead_batch_on} ({waited} days)"
            )
            facts = sponsor.snapshot["facts"]
            paid = ", ".join(f"{month} {rank or 'none'}" for month, rank in facts["paid_ranks"].items())
            state = "open" if sponsor.is_open else "already had a batch this half-month"
            self.stdout.write(
                f"#{position} sponsor {sponsor.number} {sponsor.name} ({sponsor.country}; {wait}; {state}): "
                f"qualifies by title rank {facts['title_rank']}; paid ranks {paid}; subscription "
                f"{facts['subscription_pv']} PV; new VIP customer #{facts['new_vip_customer']}; "
                f"new ambassador #{facts['new_ambassador']}"
            )
            for placed in by_sponsor.get(sponsor.id, []):
                lead = leads[placed.lead_id]
                where = "same country" if placed.same_country else f"no open sponsor in {lead.country}"
                self.stdout.write(
                    f"    {verb} lead {lead.number} {lead.name} ({lead.country}; listed under 2 on "
                    f"{lead.listed_under_2_on}, due {lead.due_on()}; {where})"
                )
        by_number = {lead.number: lead for lead in plan.leads}
        for number, reason in result.unplaced:
            due = f" (due {by_number[number].due_on()})" if reason == "not_due" else ""
            self.stdout.write(f"  lead {number} not placed: {reason}{due}")
