"""My team as it stands today, from the materialized path (accounts/paths.py): a tree level, search
with the path from the top, and the downline report page by page with its facts as SQL joins.

Past days walk the sponsor history (accounts/team/selectors.py); today the organization is a range
of the path index, so a page, a count or a level costs what it returns, not the whole subtree.
Group volume and the totals come from the team rollup (accounts/team/rollup.py) with its time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection

from accounts.history import DownlineMember, _params
from accounts.models import Account, AccountKind, Rank, TeamRollup
from accounts.paths import LENGTHS, TOP
from accounts.selectors import decide_activity
from accounts.team import export
from accounts.team.rows import ReportRow, joined_how
from plexus_office import clock
from plexus_office.dates import add_months, month_start

A = "accounts_account"

# Each member's facts, read per row of the page (correlated subqueries run only for the rows
# returned; every one is an index lookup by account).
FACTS_SQL = """
    a.id, a.number, a.name, a.kind, a.depth - %(root_depth)s, sa.number, a.enrolled_on, a.title_rank,
    CASE WHEN a.enrolled_on > %(day)s THEN 'not_enrolled'
         WHEN a.status = 'cancelled' AND (a.cancelled_at IS NULL OR a.cancelled_at < %(end)s)
         THEN 'cancelled' ELSE 'active' END,
    sp.reason, sp.personal, a.membership_fee_due_on, pr.rank, COALESCE(sub.status, 'none'),
    (SELECT MAX(o.ordered_on) FROM accounts_order o WHERE o.account_id = a.id AND o.ordered_on <= %(day)s),
    (SELECT MAX(f.paid_on) FROM accounts_membershipfeepayment f
      WHERE f.account_id = a.id AND f.paid_on <= %(day)s),
    (SELECT COALESCE(SUM(l.pv * l.qty), 0) FROM accounts_orderline l
      JOIN accounts_order o ON o.id = l.order_id
      WHERE o.account_id = a.id AND o.ordered_on >= %(month)s AND o.ordered_on <= %(day)s),
    (SELECT COALESCE(SUM(l.pv * l.qty), 0) FROM accounts_orderline l
      JOIN accounts_order o ON o.id = l.order_id
      WHERE o.account_id = a.id AND o.ordered_on >= %(last_month)s AND o.ordered_on < %(month)s),
    tr.group_pv
"""
SPONSORSHIP_JOIN = "    LEFT JOIN accounts_sponsorship sp ON sp.account_id = a.id AND sp.valid_to IS NULL"
FROM_SQL = f"""
    FROM {A} a
    LEFT JOIN {A} sa ON sa.id = a.sponsor_id
{SPONSORSHIP_JOIN}
    LEFT JOIN accounts_paidrank pr ON pr.account_id = a.id AND pr.month = %(last_month)s
    LEFT JOIN accounts_subscription sub ON sub.account_id = a.id
    LEFT JOIN accounts_teamrollup tr ON tr.account_id = a.id AND tr.month = %(month)s
    WHERE a.path > %(path)s AND a.path < %(path_end)s AND a.enrolled_on <= %(day)s
"""
# The count needs none of the facts: the path range alone (an index-only count).
COUNT_FROM_SQL = f"""
    FROM {A} a LEFT JOIN accounts_sponsorship sp ON sp.account_id = a.id AND sp.valid_to IS NULL
    WHERE a.path > %(path)s AND a.path < %(path_end)s AND a.enrolled_on <= %(day)s
"""
# Sorts served in SQL; the others (facts such as PV or activity) use the history walk.
SQL_SORTS = {
    "tree": "a.path",
    "level": "a.depth, a.number",
    "number": "a.number",
    "name": "a.name, a.number",
    "kind": "a.kind, a.number",
    "sponsor": "sa.number, a.number",
    "enrolled_on": "a.enrolled_on, a.number",
}


def _joined(reason: str | None, personal: bool | None) -> str:
    return joined_how(reason or "", bool(personal))


def _base_params(root: Account, day: date) -> dict[str, Any]:
    day_param, end_param = _params(day)
    this_month = month_start(day)
    adapt = connection.ops.adapt_datefield_value
    return {
        "day": day_param,
        "end": end_param,
        "month": adapt(this_month),
        "last_month": adapt(add_months(this_month, -1)),
        "path": root.path,
        "path_end": root.path + TOP,
        "root_depth": root.depth,
        "root": root.pk,
        "top": TOP,
    }


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _row(raw: tuple[Any, ...], day: date) -> ReportRow:
    (pk, number, name, kind, level, sponsor_number, enrolled_on, title_rank, status, reason, personal,
     fee_due, paid_rank, subscription, last_order, last_fee, pv_this, pv_last, group_pv) = raw  # fmt: skip
    last_order_on = as_date(last_order)
    verdict = decide_activity(
        kind=kind,
        as_of=day,
        last_order_on=last_order_on,
        membership_fee_due_on=as_date(fee_due),
        last_fee_paid_on=as_date(last_fee),
    )
    member = DownlineMember(
        id=pk,
        number=number,
        name=name,
        kind=kind,
        level=level,
        sponsor_number=sponsor_number,
        status=status,
        personal=bool(personal),
        reason=reason or "",
    )
    facts = {
        "activity": verdict.activity,
        "subscription": subscription,
        "last_order_on": last_order_on,
        "title_rank": Rank(title_rank).label if title_rank else "",
        "paid_rank_last_month": Rank(paid_rank).label if paid_rank else "",
        "pv_this_month": int(pv_this or 0),
        "pv_last_month": int(pv_last or 0),
        "enrolled_on": as_date(enrolled_on),
        "joined": _joined(reason, personal),
    }
    return ReportRow(member=member, facts=facts, group_volume=int(group_pv or 0))


@dataclass(frozen=True)
class TodayTotals:
    members: int
    by_kind: dict[str, int]
    new_this_month: int
    active_subscriptions: int


class TodayReport:
    """The report of today as a lazy sequence for ``Paginator``: ``count()`` is one indexed count,
    a slice is one query for that page, iteration streams the whole report in path order in chunks
    (constant memory for a CSV of any size)."""

    def __init__(self, *, root: Account, day: date, filters: Any) -> None:
        self.root, self.day, self.filters = root, day, filters
        self.params = _base_params(root, day)
        where, extra = self._filters()
        self.where = where
        self.params.update(extra)
        self.order = SQL_SORTS[filters.sort] + (" DESC" if filters.descending else "")
        if filters.descending and "," in SQL_SORTS[filters.sort]:
            self.order = ", ".join(f"{part} DESC" for part in SQL_SORTS[filters.sort].split(", "))
        self._count: int | None = None
        self._rollup: TeamRollup | None = None
        self._rollup_read = False

    def _filters(self) -> tuple[str, dict[str, Any]]:
        f = self.filters
        parts, params = [], {}
        if f.level is not None:
            parts.append("a.depth - %(root_depth)s = %(level)s")
            params["level"] = f.level
        if f.kind:
            parts.append("a.kind = %(kind)s")
            params["kind"] = f.kind
        if f.joined_this_month:
            parts.append("a.enrolled_on >= %(month)s")
        if f.leads_placed_with_me:
            parts.append(
                "a.sponsor_id = %(root)s AND (sp.reason = 'lead_placement' OR "
                "(sp.reason NOT IN ('clearing_roll_up', 'correction') AND NOT sp.personal))"
            )
        return "".join(f" AND {p}" for p in parts), params

    def count(self) -> int:
        if self._count is None:
            source = (
                COUNT_FROM_SQL
                if self.filters.leads_placed_with_me
                else COUNT_FROM_SQL.replace(
                    "LEFT JOIN accounts_sponsorship sp ON sp.account_id = a.id AND sp.valid_to IS NULL", ""
                )
            )
            if not self.where:
                # Unfiltered: an index-only count of the range (nobody is enrolled after today).
                source = source.replace(" AND a.enrolled_on <= %(day)s", "")
            sql = f"SELECT COUNT(*) {source} {self.where}"  # noqa: S608 - fixed fragments
            with connection.cursor() as cursor:
                cursor.execute(sql, self.params)
                self._count = int(cursor.fetchone()[0])
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        if not isinstance(index, slice):
            raise TypeError("a report is read by pages")
        start = index.start or 0
        stop = index.stop if index.stop is not None else start + 50
        sql = (
            f"SELECT {FACTS_SQL} {FROM_SQL} {self.where} "  # noqa: S608 - fixed fragments
            f"ORDER BY {self.order} LIMIT %(limit)s OFFSET %(offset)s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, {**self.params, "limit": max(stop - start, 0), "offset": start})
            return [_row(raw, self.day) for raw in cursor.fetchall()]

    def _stream(self) -> Iterator[tuple[Any, ...]]:
        """Every raw row in the report's order from one statement, the facts joined from the rollup
        (accounts/team/export.py), read in chunks: constant memory for a CSV of any size."""
        rollup = self.rollup()
        params = {
            **self.params,
            # No rollup row for the root: no member's row matches, every fact is looked up live.
            "computed_at": connection.ops.adapt_datetimefield_value(rollup.computed_at) if rollup else None,
            "orders_through": rollup.orders_through if rollup else 0,
            "fees_through": rollup.fees_through if rollup else 0,
            "paid_ranks_through": rollup.paid_ranks_through if rollup else 0,
            "sponsorships_through": rollup.sponsorships_through if rollup else 0,
            "order_from": rollup.tree_order if rollup else 0,
            "order_to": rollup.tree_order + rollup.downline if rollup else 0,
        }
        source = export.STREAM_SQL
        if self.filters.leads_placed_with_me:  # the filter reads the open period (direct members only)
            source = source.replace(
                "    LEFT JOIN accounts_subscription sub",
                f"{SPONSORSHIP_JOIN}\n    LEFT JOIN accounts_subscription sub",
            )
        sql = f"{source} {self.where} ORDER BY {self.order}"
        return export.stream(sql, params, members=rollup.downline if rollup else 0)

    def __iter__(self) -> Iterator[ReportRow]:
        for raw in self._stream():
            yield _row(raw, self.day)

    def csv_lines(self) -> Iterator[list[Any]]:
        """The CSV's lines (no header), without ``ReportRow`` or the activity's reason text."""
        return export.csv_rows(self._stream(), day=self.day)

    def totals(self) -> TodayTotals:
        """From the rollup when it is this month's; else counted now (one grouped query)."""
        rollup = self.rollup()
        if rollup is not None:
            return TodayTotals(
                members=rollup.downline,
                by_kind={
                    str(AccountKind.AMBASSADOR.label): rollup.ambassadors,
                    str(AccountKind.VIP_CUSTOMER.label): rollup.vip_customers,
                    str(AccountKind.RETAIL_CUSTOMER.label): rollup.retail_customers,
                },
                new_this_month=rollup.new_this_month,
                active_subscriptions=rollup.active_subscriptions,
            )
        sql = (
            f"SELECT a.kind, COUNT(*), SUM(CASE WHEN a.enrolled_on >= %(month)s THEN 1 ELSE 0 END), "  # noqa: S608
            f"SUM(CASE WHEN sub.status = 'active' THEN 1 ELSE 0 END) {FROM_SQL} GROUP BY a.kind"
        )
        by_kind = {str(kind.label): 0 for kind in AccountKind}
        members = new = subscriptions = 0
        with connection.cursor() as cursor:
            cursor.execute(sql, self.params)
            for kind, count, fresh, active in cursor.fetchall():
                by_kind[str(AccountKind(kind).label)] += int(count)
                members, new, subscriptions = (
                    members + int(count),
                    new + int(fresh),
                    subscriptions + int(active),
                )
        return TodayTotals(members, by_kind, new, subscriptions)

    def rollup(self) -> TeamRollup | None:
        """The root's row of this month's rollup (read once)."""
        if not self._rollup_read:
            self._rollup_read = True
            self._rollup = TeamRollup.objects.filter(
                account_id=self.root.pk, month=month_start(self.day)
            ).first()
        return self._rollup

    def computed_at(self) -> datetime | None:
        rollup = self.rollup()
        return rollup.computed_at if rollup is not None else None


def today_report_applies(*, day: date, today: date, filters: Any) -> bool:
    """The path report answers today with SQL sorts and no activity filter (activity is a rule in
    Python: that filter and the fact-based sorts walk the history)."""
    return day == today and not filters.activity and filters.sort in SQL_SORTS


# --- the tree -------------------------------------------------------------------------------------


# Rollup sizes older than this are not shown in the tree: the beat job refreshes every 30 minutes, so
# a fresh row has missed at most one run; past it the sizes are counted now.
ROLLUP_FRESH = timedelta(hours=1)


def rollup_fresh_since() -> datetime:
    """Rollup rows computed at or after this moment are fresh enough to stand for live counts."""
    return clock.now() - ROLLUP_FRESH


def children_today(*, parent: Account) -> list[tuple[Any, ...]]:
    """The members directly under ``parent`` with their facts, their own downline size and when that
    size was computed (one query: the children by sponsor; each size is the child's fresh rollup row,
    else a count over a range of the path index, with no time: counted now). The last two columns
    are ``(size, computed_at or None)``."""
    sql = f"""
        SELECT a.id, a.number, a.name, a.kind, a.title_rank, a.status, a.cancelled_at, sp.reason, sp.personal,
               a.membership_fee_due_on, COALESCE(sub.status, 'none'),
               (SELECT MAX(o.ordered_on) FROM accounts_order o
                 WHERE o.account_id = a.id AND o.ordered_on <= %(day)s),
               (SELECT MAX(f.paid_on) FROM accounts_membershipfeepayment f
                 WHERE f.account_id = a.id AND f.paid_on <= %(day)s),
               CASE WHEN tr.account_id IS NOT NULL THEN tr.downline
                    ELSE (SELECT COUNT(*) FROM {A} d
                          WHERE d.path > a.path AND d.path < a.path || %(top)s) END,
               tr.computed_at
        FROM {A} a
        LEFT JOIN accounts_sponsorship sp ON sp.account_id = a.id AND sp.valid_to IS NULL
        LEFT JOIN accounts_subscription sub ON sub.account_id = a.id
        LEFT JOIN accounts_teamrollup tr ON tr.account_id = a.id AND tr.month = %(month)s
              AND tr.computed_at >= %(fresh)s
        WHERE a.sponsor_id = %(parent)s AND a.enrolled_on <= %(day)s
        ORDER BY a.number
    """  # noqa: S608 - constant table names
    today = clock.today()
    day_param, _end = _params(today)
    params = {
        "day": day_param,
        "top": TOP,
        "month": connection.ops.adapt_datefield_value(month_start(today)),
        "fresh": connection.ops.adapt_datetimefield_value(rollup_fresh_since()),
        "parent": parent.pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def downline_size_today(*, root: Account) -> tuple[int, datetime | None]:
    """How many members sit below ``root`` and when that was computed (one query: the fresh rollup
    row, else the count over the path range, with no time: counted now)."""
    sql = f"""
        SELECT CASE WHEN tr.account_id IS NOT NULL THEN tr.downline
                    ELSE (SELECT COUNT(*) FROM {A} d WHERE d.path > %(path)s AND d.path < %(path_end)s) END,
               tr.computed_at
        FROM (SELECT 1 AS one) x
        LEFT JOIN accounts_teamrollup tr ON tr.account_id = %(root)s AND tr.month = %(month)s
             AND tr.computed_at >= %(fresh)s
    """  # noqa: S608 - constant table names
    params: dict[str, Any] = {
        "path": root.path,
        "path_end": root.path + TOP,
        "root": root.pk,
        "month": connection.ops.adapt_datefield_value(month_start(clock.today())),
        "fresh": connection.ops.adapt_datetimefield_value(rollup_fresh_since()),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        size, computed_at = cursor.fetchone()
    return int(size), as_moment(computed_at)


def as_moment(value: Any) -> datetime | None:
    """A timestamp from raw SQL (SQLite returns text) as an aware datetime."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- search with the path -------------------------------------------------------------------------


def numbers_on_path(path: str) -> list[int]:
    """The account numbers a path is made of, from the top."""
    numbers, i = [], 0
    while i < len(path):
        width = LENGTHS.index(path[i])
        numbers.append(int(path[i + 1 : i + 1 + width], 16))
        i += 1 + width
    return numbers


def search_today(*, root: Account, term: str, limit: int = 20) -> list[tuple[Any, list[DownlineMember]]]:
    """Members below ``root`` whose number is ``term`` or whose name contains it, in tree order, each
    with the path from the top (two queries: the hits, then every account on their paths)."""
    text = term.strip().lower()
    if not text:
        return []
    params: list[Any]
    if text.isascii() and text.isdigit() and len(text) <= 18:
        match, params = "(a.number = %s OR LOWER(a.name) LIKE %s)", [int(text), f"%{text}%"]
    else:
        match, params = "LOWER(a.name) LIKE %s", [f"%{text}%"]
    day_param, _end = _params(clock.today())
    sql = f"""
        SELECT a.path FROM {A} a
        WHERE a.path > %s AND a.path < %s AND a.enrolled_on <= %s AND {match} ORDER BY a.path LIMIT %s
    """  # noqa: S608 - fixed fragments; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [root.path, root.path + TOP, day_param, *params, limit])
        paths = [row[0] for row in cursor.fetchall()]
    if not paths:
        return []
    skip = len(numbers_on_path(root.path))
    wanted = sorted({n for p in paths for n in numbers_on_path(p)[skip:]})
    marks = ", ".join(["%s"] * len(wanted))
    sql = f"""
        SELECT a.id, a.number, a.name, a.kind, s.number, a.status, a.cancelled_at, sp.personal, sp.reason
        FROM {A} a LEFT JOIN {A} s ON s.id = a.sponsor_id
        LEFT JOIN accounts_sponsorship sp ON sp.account_id = a.id AND sp.valid_to IS NULL
        WHERE a.number IN ({marks})
    """  # noqa: S608 - placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, wanted)
        rows = {row[1]: row for row in cursor.fetchall()}
    hits = []
    for path in paths:
        steps = []
        for level, number in enumerate(numbers_on_path(path)[skip:], start=1):
            pk, num, name, kind, sponsor_number, status, cancelled_at, personal, reason = rows[number]
            steps.append(
                DownlineMember(
                    id=pk,
                    number=num,
                    name=name,
                    kind=kind,
                    level=level,
                    sponsor_number=sponsor_number,
                    status=status,
                    personal=bool(personal),
                    reason=reason or "",
                )
            )
        hits.append((steps[-1], steps))
    return hits
