"""``leads_assign``: place every due lead with a qualified sponsor (business-rules §3).

Shape of a run: plan in memory from three set-based reads, then execute the plan in chunks of about
``CHUNK_LEADS`` leads, each chunk one transaction that
  1. locks its sponsors still open this half-month and then their leads still under "2"
     (``SELECT ... FOR UPDATE SKIP LOCKED``: a concurrent run takes other rows instead of waiting),
  2. writes the batches, moves the leads (one UPDATE ... FROM VALUES), closes and opens the history
     periods, stamps the sponsors' ``last_lead_batch_on``, records the placements with their
     snapshot, and writes the notifications (inbox + outbox rows, sent after commit).
A crash loses at most the chunk in flight, which rolls back whole: every lead is either placed with
its record and notifications, or still due for the next run. The unique constraints
(one placement per listing, one batch per sponsor per half-month) are the backstop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Account, AccountStatus, SponsorChangeReason
from accounts.services import sponsor_change_many
from leads import notifications
from leads.models import LeadBatch, LeadPlacement, LeadRun
from leads.selectors import LeadRow, Plan, Reason, SponsorRow, build_plan, open_sponsor_filter
from leads.services import placement_sql
from plexus_office import clock
from plexus_office.platform.actors import actor_user
from plexus_office.platform.audit import AuditAction, audit_record

logger = logging.getLogger(__name__)

# A crash loses at most one chunk, and a chunk holds its row locks until it commits: 2,500 leads
# halves both against 5,000 at no measured cost (equal on a quiet machine). Much larger chunks are
# slower where the buffer cache is small against the accounts table (20,000 per chunk took 95 s
# against 70 s for 5,000: a chunk's rows are read again by its notifications and foreign-key checks).
CHUNK_LEADS = 2500
# A concurrent run can take a sponsor or lead we planned for; we re-plan with what is left, a few times.
MAX_PASSES = 3


@dataclass(frozen=True)
class PlacedLead:
    lead_id: int
    lead_number: int
    sponsor_id: int
    sponsor_number: int
    same_country: bool


@dataclass
class LeadRunResult:
    run: LeadRun
    as_of: date
    dry_run: bool
    plan: Plan
    placements: list[PlacedLead] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)  # (lead number, reason)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "run": self.run.pk,
            "half_month_start": self.plan.half_month_start.isoformat(),
            "qualified_sponsors": len(self.plan.sponsors),
            "open_sponsors": len(self.plan.open_sponsors),
            "placements": [
                {"lead": p.lead_number, "sponsor": p.sponsor_number, "same_country": p.same_country}
                for p in self.placements
            ],
            "unplaced": [{"lead": number, "reason": reason} for number, reason in self.unplaced],
        }


def leads_assign(
    *,
    as_of: date | None = None,
    actor: User | None,
    dry_run: bool = False,
    trigger: str = "command",
) -> LeadRunResult:
    """Place every due lead as of ``as_of`` (default today). Idempotent: a repeat places nobody twice."""
    day = clock.today(as_of)
    user = actor_user(actor)
    run = LeadRun.objects.create(
        as_of=day, dry_run=dry_run, trigger=trigger, started_at=clock.now(), started_by=user
    )
    try:
        with placement_sql.without_jit():
            result = _plan_and_place(run=run, day=day, dry_run=dry_run, actor=user)
    except BaseException as exc:
        # A crashed run (dry or real) is finished, with its error: never a run that stays "running".
        LeadRun.objects.filter(pk=run.pk).update(
            error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=_finish_time()
        )
        raise
    _finish(result)
    return result


def _plan_and_place(*, run: LeadRun, day: date, dry_run: bool, actor: Any) -> LeadRunResult:
    plan = build_plan(as_of=day)
    result = LeadRunResult(run=run, as_of=day, dry_run=dry_run, plan=plan)
    if dry_run:
        result.placements = [
            PlacedLead(
                lead.id,
                lead.number,
                sponsor_id,
                plan.sponsor(sponsor_id).number,
                lead.country == plan.sponsor(sponsor_id).country,
            )
            for sponsor_id, leads in plan.assignments.items()
            for lead in leads
        ]
        leftovers: set[int] = set()
    else:
        leftovers = set()
        for attempt in range(MAX_PASSES):
            if attempt:
                plan = build_plan(as_of=day)
                result.plan = plan
            placed, leftovers = _execute(plan=plan, run=run, actor=actor)
            result.placements.extend(placed)
            if not leftovers:
                break
    result.unplaced = _unplaced(plan, leftovers)
    return result


def _finish_time():
    try:
        return clock.now()
    except (OverflowError, ValueError):  # a business clock frozen at the edge of the calendar
        return timezone.now()


def _unplaced(plan: Plan, leftovers: set[int]) -> list[tuple[int, str]]:
    reasons = dict(plan.unplaced)
    for lead_id in leftovers:
        reasons[lead_id] = Reason.IN_PROGRESS
    return [(lead.number, reasons[lead.id]) for lead in plan.leads if lead.id in reasons]


def _finish(result: LeadRunResult) -> None:
    plan = result.plan
    counts = {
        "due_count": sum(1 for _n, reason in result.unplaced if reason != Reason.NOT_DUE)
        + len(result.placements),
        "unplaced_count": len(result.unplaced),
        "qualified_sponsor_count": len(plan.sponsors),
        "open_sponsor_count": len(plan.open_sponsors),
        "finished_at": clock.now(),
    }
    cap = LeadRun.REPORT_CAP
    report: dict[str, Any] = {"unplaced": [[number, reason] for number, reason in result.unplaced[:cap]]}
    if result.dry_run:
        counts["placed_count"] = len(result.placements)
        counts["batch_count"] = len(plan.assignments)
        report["placements"] = [
            [p.lead_number, p.sponsor_number, p.same_country] for p in result.placements[:cap]
        ]
    counts["report"] = report
    with transaction.atomic():
        LeadRun.objects.filter(pk=result.run.pk).update(**counts)
        result.run.refresh_from_db()
        if not result.dry_run:
            audit_record(
                actor=result.run.started_by,
                obj=result.run,
                action=AuditAction.LEADS_ASSIGN,
                note=f"as of {result.as_of}: {result.run.placed_count} placed "
                f"in {result.run.batch_count} batches",
                changes={
                    "placed_count": (0, result.run.placed_count),
                    "batch_count": (0, result.run.batch_count),
                    "unplaced_count": (0, result.run.unplaced_count),
                },
            )


def _chunks(plan: Plan) -> list[list[tuple[SponsorRow, list[LeadRow]]]]:
    """Whole sponsors per chunk (a sponsor's batch never spans two transactions), in wait order."""
    chunks: list[list[tuple[SponsorRow, list[LeadRow]]]] = []
    current: list[tuple[SponsorRow, list[LeadRow]]] = []
    size = 0
    for sponsor in plan.open_sponsors:
        leads = plan.assignments.get(sponsor.id)
        if not leads:
            continue
        current.append((sponsor, leads))
        size += len(leads)
        if size >= CHUNK_LEADS:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


def _execute(*, plan: Plan, run: LeadRun, actor: Any) -> tuple[list[PlacedLead], set[int]]:
    orphan_id = plan.orphan_id
    placed: list[PlacedLead] = []
    leftovers: set[int] = set()
    for chunk in _chunks(plan):
        wanted = {lead.id for _s, leads in chunk for lead in leads}
        try:
            done = _place_chunk(chunk=chunk, plan=plan, run=run, actor=actor, orphan_id=orphan_id)
        except IntegrityError:
            # Another run got there first despite the locks (e.g. SQLite, no row locks): this chunk
            # rolled back whole; its leads stay due for the re-plan.
            logger.warning("leads run %s: chunk rolled back on a uniqueness conflict", run.pk)
            done = []
        placed.extend(done)
        leftovers |= wanted - {p.lead_id for p in done}
    return placed, leftovers


@transaction.atomic
def _place_chunk(
    *, chunk: list[tuple[SponsorRow, list[LeadRow]]], plan: Plan, run: LeadRun, actor: Any, orphan_id: int
) -> list[PlacedLead]:
    half_start = plan.half_month_start
    day = plan.as_of
    now = clock.now()
    # Sponsors first, then leads: both runs lock in the same order, so neither waits on the other.
    batch_elsewhere = LeadBatch.objects.filter(sponsor=OuterRef("pk"), half_month_start=half_start)
    sponsor_ids = set(
        Account.objects.select_for_update(skip_locked=True)
        .filter(
            open_sponsor_filter(half_month_start=half_start),
            pk__in=[s.id for s, _l in chunk],
            status=AccountStatus.ACTIVE,
        )
        .filter(~Exists(batch_elsewhere))
        .values_list("pk", flat=True)
    )
    planned = {lead.id: lead for sponsor, leads in chunk if sponsor.id in sponsor_ids for lead in leads}
    still_due = dict(
        Account.objects.select_for_update(skip_locked=True)
        .filter(pk__in=list(planned), sponsor_id=orphan_id, status=AccountStatus.ACTIVE)
        .annotate(listed=Coalesce("listed_under_2_on", "enrolled_on"))
        .values_list("pk", "listed")
    )
    batches: list[tuple[SponsorRow, list[LeadRow]]] = []
    for sponsor, leads in chunk:
        mine = [
            lead
            for lead in leads
            if still_due.get(lead.id) == lead.listed_under_2_on and sponsor.id in sponsor_ids
        ]
        if mine:
            batches.append((sponsor, mine))
    if not batches:
        return []
    if connection.vendor == "postgresql":
        placement_sql.write_chunk(
            batches=batches, run=run, actor=actor, day=day, half_start=half_start, now=now
        )
    else:
        _write_chunk_orm(batches=batches, run=run, actor=actor, day=day, half_start=half_start, now=now)
    LeadRun.objects.filter(pk=run.pk).update(
        placed_count=F("placed_count") + sum(len(leads) for _s, leads in batches),
        batch_count=F("batch_count") + len(batches),
    )
    return [
        PlacedLead(lead.id, lead.number, sponsor.id, sponsor.number, lead.country == sponsor.country)
        for sponsor, leads in batches
        for lead in leads
    ]


def _write_chunk_orm(
    *,
    batches: list[tuple[SponsorRow, list[LeadRow]]],
    run: LeadRun,
    actor: Any,
    day: date,
    half_start: date,
    now: datetime,
) -> None:
    """The portable writes of one chunk (SQLite): the same rows ``placement_sql.write_chunk`` writes."""
    batch_rows = LeadBatch.objects.bulk_create(
        LeadBatch(
            run=run, sponsor_id=sponsor.id, half_month_start=half_start, created_at=now, lead_count=len(leads)
        )
        for sponsor, leads in batches
    )
    pairs = [(lead.id, sponsor.id) for sponsor, leads in batches for lead in leads]
    sponsor_change_many(moves=pairs, reason=SponsorChangeReason.LEAD_PLACEMENT, actor=actor, on=day)
    Account.objects.filter(pk__in=[sponsor.id for sponsor, _l in batches]).update(last_lead_batch_on=day)
    LeadPlacement.objects.bulk_create(
        LeadPlacement(
            run=run,
            batch=batch,
            lead_id=lead.id,
            sponsor_id=sponsor.id,
            listed_under_2_on=lead.listed_under_2_on,
            placed_at=now,
            as_of=day,
            half_month_start=half_start,
            same_country=lead.country == sponsor.country,
            snapshot=sponsor.snapshot,
        )
        for batch, (sponsor, leads) in zip(batch_rows, batches, strict=True)
        for lead in leads
    )
    notifications.placements_notify(batches=batches, as_of=day)
