"""Reads for "My team": the tree one level at a time, search with the path from the top, and the
downline report with its totals, as the organization stood at the end of a day (business-rules §8).

Everything walks the effective-dated sponsor history (``accounts.history``), so today and any past
day are the same code. Facts of many members are read in chunks (SQLite caps query parameters).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.db.models import F, Max, Sum
from django.utils.translation import gettext_lazy as _

from accounts.history import DownlineMember, downline_on
from accounts.models import (
    Account,
    AccountKind,
    MembershipFeePayment,
    Order,
    OrderLine,
    PaidRank,
    Rank,
    Subscription,
)
from accounts.selectors import decide_activity
from accounts.team.asof import Page, Path, children_on_day, page_on
from accounts.team.rows import JOINED_LABELS, ReportRow, joined_how
from accounts.team.today import (
    TodayReport,
    as_date,
    as_moment,
    children_today,
    search_today,
    today_report_applies,
)
from plexus_office import clock
from plexus_office.dates import add_months

CHUNK = 500
PAGE_SIZE = 50


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def month_start(day: date) -> date:
    return day.replace(day=1)


# --- the tree -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeNode:
    id: int
    number: int
    name: str
    kind: str
    title_rank: str
    status: str
    activity: str
    subscription: str
    joined: str
    downline_size: int
    level: int
    size_computed_at: datetime | None = None  # the rollup's time; None: counted now
    # A past day: ``downline_size`` counts only the members directly below (accounts/team/asof.py).
    size_direct: bool = False

    @property
    def joined_label(self) -> str:
        return str(JOINED_LABELS.get(self.joined, self.joined))

    @property
    def kind_label(self) -> str:
        return str(AccountKind(self.kind).label)

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "kind": self.kind,
            "title_rank": self.title_rank,
            "status": self.status,
            "activity": self.activity,
            "subscription": self.subscription,
            "joined": self.joined,
            "downline_size": self.downline_size,
            "downline_size_computed_at": self.size_computed_at.isoformat() if self.size_computed_at else None,
            "downline_size_direct_only": self.size_direct,
            "level": self.level,
        }


def children_on(*, parent: Account, day: date, level: int = 1) -> list[TreeNode]:
    """The members directly under ``parent`` at the end of ``day``. Today each with the size of its own
    downline (one query on the materialized path, ``today.children_today``); a past day with how many
    sat directly below it (one query on the history, ``asof.children_on_day``: the whole size of a
    past day would walk each child's subtree)."""
    if day < parent.enrolled_on:
        return []
    if day == clock.today():
        return [_today_node(row, day=day, level=level) for row in children_today(parent=parent)]
    rows = children_on_day(parent_id=parent.pk, day=day)
    return [replace(_today_node(row, day=day, level=level), size_direct=True) for row in rows]


def _today_node(row: tuple[Any, ...], *, day: date, level: int) -> TreeNode:
    (pk, number, name, kind, title_rank, status, _cancelled_at, reason, personal, fee_due, subscription,
     last_order, last_fee, size, computed_at) = row  # fmt: skip
    verdict = decide_activity(
        kind=kind,
        as_of=day,
        last_order_on=as_date(last_order),
        membership_fee_due_on=as_date(fee_due),
        last_fee_paid_on=as_date(last_fee),
    )
    return TreeNode(
        id=pk,
        number=number,
        name=name,
        kind=kind,
        title_rank=Rank(title_rank).label if title_rank else "",
        status=status,
        activity=verdict.activity,
        subscription=subscription,
        joined=joined_how(reason or "", bool(personal)),
        downline_size=int(size),
        level=level,
        size_computed_at=as_moment(computed_at),
    )


@dataclass(frozen=True)
class SearchHit:
    member: DownlineMember
    path: list[DownlineMember]  # from the first level down to the member itself


def search_on(*, root: Account, term: str, day: date, limit: int = 20) -> list[SearchHit]:
    """Members below ``root`` whose number is ``term`` or whose name contains it, each with the path
    from ``root`` (one walk of the organization of that day)."""
    text = term.strip().lower()
    if not text:
        return []
    if day == clock.today():
        return [SearchHit(member=m, path=p) for m, p in search_today(root=root, term=text, limit=limit)]
    members = downline_on(account=root, day=day)
    by_number = {m.number: m for m in members}
    hits = []
    for member in members:
        if (text.isdigit() and member.number == int(text)) or text in member.name.lower():
            path = [member]
            while path[0].level > 1:
                path.insert(0, by_number[path[0].sponsor_number])
            hits.append(SearchHit(member=member, path=path))
            if len(hits) >= limit:
                break
    return hits


# --- facts for many members -----------------------------------------------------------------------


def member_facts(*, ids: list[int], day: date) -> dict[int, dict[str, Any]]:
    """Activity, subscription, last order, ranks and PV of ``ids`` as of ``day`` (a few queries per chunk)."""
    this_month = month_start(day)
    last_month = add_months(this_month, -1)
    facts: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        accounts = Account.objects.filter(pk__in=chunk).values(
            "pk", "kind", "membership_fee_due_on", "title_rank", "enrolled_on"
        )
        last_orders = dict(
            Order.objects.filter(account_id__in=chunk, ordered_on__lte=day)
            .values("account_id")
            .annotate(last=Max("ordered_on"))
            .values_list("account_id", "last")
        )
        last_fees = dict(
            MembershipFeePayment.objects.filter(account_id__in=chunk, paid_on__lte=day)
            .values("account_id")
            .annotate(last=Max("paid_on"))
            .values_list("account_id", "last")
        )
        subscriptions = dict(
            Subscription.objects.filter(account_id__in=chunk).values_list("account_id", "status")
        )
        paid = dict(
            PaidRank.objects.filter(account_id__in=chunk, month=last_month).values_list("account_id", "rank")
        )
        pv_rows = (
            OrderLine.objects.filter(
                order__account_id__in=chunk, order__ordered_on__gte=last_month, order__ordered_on__lte=day
            )
            .values("order__account_id", "order__ordered_on__month")
            .annotate(pv=Sum(F("pv") * F("qty")))
        )
        pv: dict[int, dict[int, int]] = defaultdict(dict)
        for row in pv_rows:
            pv[row["order__account_id"]][row["order__ordered_on__month"]] = int(row["pv"] or 0)
        for account in accounts:
            pk = account["pk"]
            verdict = decide_activity(
                kind=account["kind"],
                as_of=day,
                last_order_on=last_orders.get(pk),
                membership_fee_due_on=account["membership_fee_due_on"],
                last_fee_paid_on=last_fees.get(pk),
            )
            facts[pk] = {
                "activity": verdict.activity,
                "subscription": subscriptions.get(pk, "none"),
                "last_order_on": last_orders.get(pk),
                "title_rank": Rank(account["title_rank"]).label if account["title_rank"] else "",
                "paid_rank_last_month": Rank(paid[pk]).label if pk in paid else "",
                "pv_this_month": pv[pk].get(this_month.month, 0),
                "pv_last_month": pv[pk].get(last_month.month, 0),
                "enrolled_on": account["enrolled_on"],
            }
    return facts


# --- the report -----------------------------------------------------------------------------------


REPORT_COLUMNS = (
    ("level", _("Level")),
    ("number", _("Number")),
    ("name", _("Name")),
    ("kind", _("Kind")),
    ("status", _("Status")),
    ("sponsor", _("Sponsor")),
    ("title_rank", _("Rank")),
    ("paid_rank_last_month", _("Paid rank last month")),
    ("pv_this_month", _("PV this month")),
    ("pv_last_month", _("PV last month")),
    ("group_volume", _("Group volume")),
    ("subscription", _("Subscription")),
    ("last_order_on", _("Last order")),
    ("activity", _("Activity")),
    ("enrolled_on", _("Enrolled on")),
    ("joined", _("Joined")),
)
# "tree" (the default): each sponsor followed by their organization, siblings by number; the path
# index serves it today (accounts/team/today.py).
SORT_KEYS = {"tree"} | {name for name, _label in REPORT_COLUMNS}


@dataclass(frozen=True)
class ReportFilters:
    level: int | None = None
    kind: str = ""
    activity: str = ""
    joined_this_month: bool = False
    leads_placed_with_me: bool = False
    sort: str = "tree"
    descending: bool = False


def report_rows(*, root: Account, day: date, filters: ReportFilters) -> list[ReportRow]:
    """The whole organization of ``day`` with each member's facts and group volume, filtered and sorted."""
    members = downline_on(account=root, day=day)
    facts = member_facts(ids=[m.id for m in members], day=day)
    rows = [ReportRow(member=m, facts={**facts.get(m.id, {}), "joined": _joined(m)}) for m in members]
    # Group volume: this month's PV of the member and everyone below, summed bottom-up (deepest first).
    volume = {row.member.number: int(row.facts.get("pv_this_month", 0)) for row in rows}
    for row in sorted(rows, key=lambda r: -r.member.level):
        if row.member.sponsor_number in volume:
            volume[row.member.sponsor_number] += volume[row.member.number]
    for row in rows:
        row.group_volume = volume[row.member.number]
    this_month = month_start(day)
    selected = [
        row
        for row in rows
        if (filters.level is None or row.member.level == filters.level)
        and (not filters.kind or row.member.kind == filters.kind)
        and (not filters.activity or row.facts.get("activity") == filters.activity)
        and (not filters.joined_this_month or (row.facts.get("enrolled_on") or date.min) >= this_month)
        and (not filters.leads_placed_with_me or (row.member.level == 1 and row.facts["joined"] == "leads"))
    ]
    key = filters.sort if filters.sort in SORT_KEYS else "tree"
    if key == "tree":
        place: dict[int, tuple[int, ...]] = {}
        for row in sorted(rows, key=lambda r: r.member.level):  # sponsors before their members
            place[row.member.number] = place.get(row.member.sponsor_number, ()) + (row.member.number,)
        selected.sort(key=lambda r: place[r.member.number], reverse=filters.descending)
        return selected
    # Ties stay in level-then-number order either way (the sort is stable; only the column reverses).
    selected.sort(key=lambda r: (r.member.level, r.member.number))
    selected.sort(key=lambda r: _sort_value(r, key), reverse=filters.descending)
    return selected


def report_for(
    *, root: Account, day: date, filters: ReportFilters
) -> tuple[Sequence[ReportRow] | TodayReport, Any, datetime]:
    """The report's rows (a list, or today's lazy path report), its totals and when its volumes were
    computed. Today's report needs this month's rollup (the beat job); until it has run, and for past
    days, activity filters and fact sorts, the history walk computes everything now."""
    if today_report_applies(day=day, today=clock.today(), filters=filters):
        report = TodayReport(root=root, day=day, filters=filters)
        computed_at = report.computed_at()
        if computed_at is not None:
            return report, report.totals(), computed_at
    rows = report_rows(root=root, day=day, filters=filters)
    return rows, report_totals(rows, day=day), clock.now()


def keyset_applies(*, day: date, filters: ReportFilters) -> bool:
    """A past day in tree order without filters: pages by keys from the history (asof.page_on)."""
    return day != clock.today() and filters == ReportFilters()


def report_page_on(
    *, root: Account, day: date, after: Path | None = None, before: Path | None = None
) -> tuple[Page, list[ReportRow]]:
    """One page of the report of a past day in tree order, with each member's facts of that day and
    no group volume (it needs the whole organization: the CSV of that day has it)."""
    page = page_on(root=root, day=day, after=after, before=before, limit=PAGE_SIZE)
    facts = member_facts(ids=[m.id for m, _path in page.rows], day=day)
    rows = [
        ReportRow(member=m, facts={**facts.get(m.id, {}), "joined": _joined(m)}, group_volume=None)
        for m, _path in page.rows
    ]
    return page, rows


def _joined(member: DownlineMember) -> str:
    return joined_how(member.reason, member.personal)


def _sort_value(row: ReportRow, key: str) -> Any:
    data = row.as_dict()
    value = data.get(key)
    if value is None or value == "":
        return (1, "")
    return (0, value)


@dataclass(frozen=True)
class ReportTotals:
    members: int
    by_kind: dict[str, int]
    new_this_month: int
    active_subscriptions: int


def report_totals(rows: Iterable[ReportRow], *, day: date) -> ReportTotals:
    this_month = month_start(day)
    by_kind: dict[str, int] = {str(kind.label): 0 for kind in AccountKind}
    count = new = subscriptions = 0
    for row in rows:
        count += 1
        by_kind[str(AccountKind(row.member.kind).label)] += 1
        if (row.facts.get("enrolled_on") or date.min) >= this_month:
            new += 1
        if row.facts.get("subscription") == "active":
            subscriptions += 1
    return ReportTotals(count, by_kind, new, subscriptions)


def csv_lines(rows: Iterable[ReportRow]) -> Iterator[list[Any]]:
    """Header then one list per row, for a streamed CSV."""
    yield [label for _name, label in REPORT_COLUMNS]
    for row in rows:
        data = row.as_dict()
        yield [data.get(name, "") for name, _label in REPORT_COLUMNS]
