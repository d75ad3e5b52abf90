"""Reads for the Leads program: who is under "2", who may sponsor, and the placement plan.

Everything here is set-based: one query for the qualified sponsors (the five rules as annotations,
``accounts.selectors.qualified_lead_sponsors``), one for the accounts under "2", one for the rare
"sponsor sits below a lead" loop guard; the plan itself is computed in memory.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from accounts.history import status_on_expression
from accounts.models import CORPORATE_SPONSOR_NUMBER, Account, AccountKind, AccountStatus
from accounts.selectors import (
    LEAD_MIN_TITLE_RANK,
    LeadFacts,
    lead_facts_sql,
    lead_verdict_from_annotated,
    qualified_lead_sponsors,
)
from leads.models import CorrectionStatus, LeadBatch, LeadPlacement, QualifiedSponsor, SponsorCorrection
from plexus_office.dates import half_month

DUE_AFTER_DAYS = 14  # "listed for at least two weeks": due when as_of >= listed + 14 days
LEAD_KINDS = (AccountKind.AMBASSADOR, AccountKind.VIP_CUSTOMER)


class Reason:
    """Why an account under "2" was not placed (scenarios.md plus our documented codes)."""

    NOT_DUE = "not_due"
    NO_QUALIFIED_SPONSOR = "no_qualified_sponsor"
    NO_OPEN_SPONSOR = "no_open_sponsor"  # qualified sponsors exist, all had their batch this half-month
    # Open sponsors exist, but every one of them sits in the lead's own downline (placing the lead
    # under one would make a loop): not a capacity problem, so not "no_open_sponsor".
    ONLY_SPONSORS_IN_DOWNLINE = "only_sponsors_in_own_downline"
    CANCELLED = "cancelled"
    NOT_A_LEAD = "not_a_lead"  # a retail customer: the program places ambassadors and VIP customers
    CORRECTION_PENDING = "correction_pending"  # customer service is deciding where it belongs
    IN_PROGRESS = "in_progress"  # another run held the lead or its sponsor; the next run takes it


@dataclass(frozen=True)
class SponsorRow:
    id: int
    number: int
    name: str
    email: str
    phone: str
    country: str
    last_lead_batch_on: date | None
    is_open: bool
    snapshot: dict[str, Any]

    def waiting_days(self, as_of: date) -> int | None:
        return None if self.last_lead_batch_on is None else (as_of - self.last_lead_batch_on).days


@dataclass(frozen=True)
class LeadRow:
    id: int
    number: int
    name: str
    email: str
    phone: str
    kind: str
    status: str
    country: str
    listed_under_2_on: date
    correction_pending: bool

    def due_on(self) -> date:
        return self.listed_under_2_on + timedelta(days=DUE_AFTER_DAYS)


@dataclass
class Plan:
    as_of: date
    half_month_start: date
    orphan_id: int
    sponsors: list[SponsorRow]
    leads: list[LeadRow]
    assignments: dict[int, list[LeadRow]] = field(default_factory=dict)  # sponsor id -> leads, in order
    unplaced: dict[int, str] = field(default_factory=dict)  # lead id -> reason

    @property
    def open_sponsors(self) -> list[SponsorRow]:
        return [s for s in self.sponsors if s.is_open]

    def sponsor(self, sponsor_id: int) -> SponsorRow:
        return next(s for s in self.sponsors if s.id == sponsor_id)


def open_correction_exists() -> Any:
    """Annotation: the account has a sponsor correction request customer service has not decided."""
    return Exists(SponsorCorrection.objects.filter(account=OuterRef("pk"), status=CorrectionStatus.SUBMITTED))


def orphan_account_id() -> int:
    return Account.objects.values_list("pk", flat=True).get(number=CORPORATE_SPONSOR_NUMBER)


def wait_order_key(row: SponsorRow) -> tuple[bool, date, int]:
    """Longest wait first: never served before anyone, then the oldest last batch, ties by number."""
    return (row.last_lead_batch_on is not None, row.last_lead_batch_on or date.min, row.number)


def qualified_sponsors(*, as_of: date) -> list[SponsorRow]:
    """Every qualified sponsor with its rule snapshot and whether it is open this half-month (one query)."""
    start, _end = half_month(as_of)
    qualified, params = lead_facts_sql(as_of=as_of)
    batches = connection.ops.quote_name(LeadBatch._meta.db_table)
    sql = (
        f"SELECT s.*, EXISTS (SELECT 1 FROM {batches} b WHERE b.sponsor_id = s.id "  # noqa: S608 - _meta
        f"AND b.half_month_start = %s) FROM ({qualified}) s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, *params])
        rows = [(LeadFacts.from_row(row), bool(row[-1])) for row in cursor.fetchall()]
    result = []
    for account, has_batch in rows:
        verdict = lead_verdict_from_annotated(account, as_of=as_of)  # type: ignore[arg-type]
        last = account.last_lead_batch_on
        is_open = not has_batch and (last is None or last < start)
        snapshot = {
            "as_of": as_of.isoformat(),
            "qualified": verdict.qualified,
            "rules": verdict.rules,
            "facts": verdict.facts,
            "last_lead_batch_on": last.isoformat() if last else None,
        }
        result.append(
            SponsorRow(
                id=account.id,
                number=account.number,
                name=account.name,
                email=account.email,
                phone=account.phone,
                country=account.country,
                last_lead_batch_on=last,
                is_open=is_open,
                snapshot=snapshot,
            )
        )
    result.sort(key=wait_order_key)
    return result


def accounts_under_2(*, orphan_id: int | None = None, as_of: date | None = None) -> list[LeadRow]:
    """Every account whose sponsor is "2", oldest listing first (one query).

    With ``as_of``, as that day ended (business-rules §8): an account enrolled or listed later was not
    under "2" yet, and one cancelled later was still live.
    """
    orphan_id = orphan_id or orphan_account_id()
    queryset = Account.objects.filter(sponsor_id=orphan_id).annotate(
        listed=Coalesce("listed_under_2_on", "enrolled_on"), pending=open_correction_exists()
    )
    status: Any = "status"
    if as_of is not None:
        queryset = queryset.filter(listed__lte=as_of, enrolled_on__lte=as_of).annotate(
            status_that_day=status_on_expression(as_of)
        )
        status = "status_that_day"
    rows = queryset.order_by("listed", "number").values_list(
        "pk", "number", "name", "email", "phone", "kind", status, "country", "listed", "pending"
    )
    return [LeadRow(*row) for row in rows]


def loop_guard(*, orphan_id: int) -> dict[int, int]:
    """Qualified-rank ambassadors sitting below a lead: {sponsor id: that lead's id} (one query).

    Placing a lead under someone in its own downline would make a loop; only accounts below "2" can
    be in a lead's downline, so one recursive walk from "2" finds every such pair.
    """
    table = Account._meta.db_table
    sql = f"""
        WITH RECURSIVE down(id, top_id, depth) AS (
            SELECT id, id, 1 FROM {table} WHERE sponsor_id = %s
            UNION ALL
            SELECT a.id, down.top_id, down.depth + 1 FROM {table} a JOIN down ON a.sponsor_id = down.id
            WHERE down.depth < 1000
        )
        SELECT down.id, down.top_id FROM down JOIN {table} a ON a.id = down.id
        WHERE down.depth > 1 AND a.kind = %s AND a.title_rank >= %s
    """  # noqa: S608 - table name from model metadata; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [orphan_id, AccountKind.AMBASSADOR, int(LEAD_MIN_TITLE_RANK)])
        return {sponsor_id: lead_id for sponsor_id, lead_id in cursor.fetchall()}


def classify(lead: LeadRow, *, as_of: date) -> str | None:
    """The reason an account under "2" cannot be placed today regardless of sponsors, or None."""
    if lead.status != AccountStatus.ACTIVE:
        return Reason.CANCELLED
    if lead.kind not in LEAD_KINDS:
        return Reason.NOT_A_LEAD
    if as_of < lead.due_on():
        return Reason.NOT_DUE
    if lead.correction_pending:
        return Reason.CORRECTION_PENDING
    return None


def distribute(
    *, leads: list[LeadRow], sponsors: list[SponsorRow], forbidden: dict[int, int], as_of: date
) -> tuple[dict[int, list[LeadRow]], dict[int, str]]:
    """Round-robin the due leads over the open sponsors, same country first (pure, no query).

    Round-robin is "the sponsor with the fewest leads so far in this run, ties by wait order": the
    first lead goes to the longest-waiting sponsor, and so on round the list. A lead goes to a sponsor
    of its own country when one is open; otherwise to any open sponsor.
    """
    open_rows = [s for s in sponsors if s.is_open]
    counts = [0] * len(open_rows)
    everyone: list[tuple[int, int]] = [(0, i) for i in range(len(open_rows))]
    by_country: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, row in enumerate(open_rows):
        by_country[row.country].append((0, i))
    assignments: dict[int, list[LeadRow]] = {}
    unplaced: dict[int, str] = {}
    for lead in leads:
        reason = classify(lead, as_of=as_of)
        if reason is not None:
            unplaced[lead.id] = reason
            continue
        if not sponsors:
            unplaced[lead.id] = Reason.NO_QUALIFIED_SPONSOR
            continue
        heap = by_country.get(lead.country) or everyone
        chosen = _take(heap, counts, open_rows, lead_id=lead.id, forbidden=forbidden)
        if chosen is None and heap is not everyone:
            chosen = _take(everyone, counts, open_rows, lead_id=lead.id, forbidden=forbidden)
        if chosen is None:
            # The heap of everyone holds every open sponsor: finding none there means either there
            # is none, or each one is below this lead (the loop guard skipped them).
            unplaced[lead.id] = Reason.ONLY_SPONSORS_IN_DOWNLINE if open_rows else Reason.NO_OPEN_SPONSOR
            continue
        counts[chosen] += 1
        heapq.heappush(everyone, (counts[chosen], chosen))
        heapq.heappush(by_country[open_rows[chosen].country], (counts[chosen], chosen))
        assignments.setdefault(open_rows[chosen].id, []).append(lead)
    return assignments, unplaced


def _take(
    heap: list[tuple[int, int]],
    counts: list[int],
    rows: list[SponsorRow],
    *,
    lead_id: int,
    forbidden: dict[int, int],
) -> int | None:
    """Pop the least-served sponsor from ``heap`` (dropping stale entries), skipping loop pairs."""
    skipped = []
    chosen = None
    while heap:
        count, i = heapq.heappop(heap)
        if count != counts[i]:
            continue  # stale: a newer entry for this sponsor is in the heap
        if forbidden.get(rows[i].id) == lead_id:
            skipped.append((count, i))
            continue
        chosen = i
        break
    for entry in skipped:
        heapq.heappush(heap, entry)
    return chosen


def build_plan(*, as_of: date) -> Plan:
    """Who would get whom today: three queries (sponsors, accounts under "2", loop guard)."""
    orphan_id = orphan_account_id()
    sponsors = qualified_sponsors(as_of=as_of)
    leads = accounts_under_2(orphan_id=orphan_id, as_of=as_of)
    forbidden = loop_guard(orphan_id=orphan_id) if sponsors else {}
    assignments, unplaced = distribute(leads=leads, sponsors=sponsors, forbidden=forbidden, as_of=as_of)
    return Plan(
        as_of=as_of,
        half_month_start=half_month(as_of)[0],
        orphan_id=orphan_id,
        sponsors=sponsors,
        leads=leads,
        assignments=assignments,
        unplaced=unplaced,
    )


def qualified_sponsor_page_queryset(*, as_of: date) -> QuerySet[QualifiedSponsor]:
    """The qualified sponsors as a lazy queryset the admin can page through (the five rules in SQL)."""
    return QualifiedSponsor.objects.filter(pk__in=qualified_lead_sponsors(as_of=as_of).values("pk"))


def open_sponsor_filter(*, half_month_start: date) -> Q:
    """The row-level form of "no batch yet in this half-month", for the locking query."""
    return Q(last_lead_batch_on__isnull=True) | Q(last_lead_batch_on__lt=half_month_start)


_CORRECTION_FIELDS = tuple(field.name for field in SponsorCorrection._meta.concrete_fields)


def corrections_for(*, account: Account, limit: int = 20) -> list[SponsorCorrection]:
    """The member's own requests, newest first (one query)."""
    # The requested sponsor is shown by number and name only: selecting its ~50 other columns cost
    # the dashboard a wide SQL compilation and model build on every view (bench/README.md §7).
    return list(
        SponsorCorrection.objects.filter(account=account)
        .select_related("requested_sponsor")
        .only(*_CORRECTION_FIELDS, "requested_sponsor__number", "requested_sponsor__name")
        .order_by("-submitted_at", "-id")[:limit]
    )


def recent_placements_for_sponsor(*, sponsor: Account, limit: int = 5) -> list[Any]:
    """The latest leads placed with ``sponsor``, with their contact details (one query)."""
    return list(
        LeadPlacement.objects.filter(sponsor=sponsor)
        .select_related("lead")
        .only("as_of", "placed_at", "lead__number", "lead__name", "lead__email", "lead__phone")
        .order_by("-placed_at", "-id")[:limit]
    )
