"""Today's downline report read whole (the CSV export, and ``TodayReport`` iterated): one statement
joining each member's facts from the team rollup, streamed in chunks (decisions: "The report's CSV
reads each member's facts from the team rollup").

The rollup (accounts/team/rollup.py) holds every member's own facts as of its refresh (PV this and
last month, last order, last fee paid, paid rank, the sponsor then), its place in tree order, and
the highest order, fee, paid rank and sponsorship ids it had read. The root's organization at the
refresh is the range of places after its own, so its rollup rows are one index range. Rows recorded
since (higher ids: the few of the last half hour) are aggregated here and applied on top, so the
facts are the live ones. A member without a row in that range (enrolled or moved in since, or no
refresh this month) gets live lookups instead, in ``CASE`` branches that run only for that member.
Group volume is the rollup's, as of its time, like the report page (its header says when).

The CSV rows skip ``ReportRow`` and the activity's reason text: ``ActivityRule`` decides the same
activity as ``accounts.selectors.decide_activity`` from thresholds computed once per export.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db import connection, transaction

from accounts.models import AccountKind, Rank
from accounts.selectors import (
    AMBASSADOR_FEE_PAID_MONTHS,
    AMBASSADOR_NO_ORDER_MONTHS,
    AMBASSADOR_OVERDUE_MONTHS,
    CUSTOMER_ACTIVE_MONTHS,
    Activity,
)
from accounts.team.rows import joined_how
from plexus_office.dates import add_months

A = "accounts_account"
STREAM_CHUNK = 2000

_LIVE_ORDER = (
    "(SELECT MAX(o.ordered_on) FROM accounts_order o WHERE o.account_id = a.id AND o.ordered_on <= %(day)s)"
)
_LIVE_FEE = (
    "(SELECT MAX(f.paid_on) FROM accounts_membershipfeepayment f"
    " WHERE f.account_id = a.id AND f.paid_on <= %(day)s)"
)
# Scalar subqueries only (no joins): they stay index lookups when the stream turns nested loops off.
_LINE_PV = "(SELECT COALESCE(SUM(l.pv * l.qty), 0) FROM accounts_orderline l WHERE l.order_id = o.id)"
_LIVE_PV = f"""(SELECT COALESCE(SUM({_LINE_PV}), 0) FROM accounts_order o
      WHERE o.account_id = {{who}} AND o.ordered_on >= {{since}} AND o.ordered_on {{until}})"""
_MEMBER_PV = _LIVE_PV.format(who="d.id", since="%(month)s", until="<= %(day)s")
_LIVE_GROUP = f"""(SELECT COALESCE(SUM({_MEMBER_PV}), 0)
      FROM {A} d WHERE d.id = a.id OR (d.path > a.path AND d.path < a.path || %(top)s))"""


_LIVE_PV_THIS = _LIVE_PV.format(who="a.id", since="%(month)s", until="<= %(day)s")
_LIVE_PV_LAST = _LIVE_PV.format(who="a.id", since="%(last_month)s", until="< %(month)s")


def _later(rolled: str, recent: str) -> str:
    """The later of two dates, either of which may be NULL (no GREATEST on SQLite)."""
    return f"CASE WHEN {recent} IS NULL OR {recent} < {rolled} THEN {rolled} ELSE {recent} END"


_LATER_ORDER = _later("tr.last_order_on", "ro.last_order")
_LATER_FEE = _later("tr.last_fee_paid_on", "rf.last_fee")

_MOVED = "tr.sponsor_id_then IS NULL OR tr.sponsor_id_then <> a.sponsor_id"
_LIVE_PERIOD = (
    "(SELECT sp.{column} FROM accounts_sponsorship sp WHERE sp.account_id = a.id AND sp.valid_to IS NULL)"
)
_LIVE_RANK = (
    "(SELECT pr.rank FROM accounts_paidrank pr WHERE pr.account_id = a.id AND pr.month = %(last_month)s)"
)


def _text(column: str) -> str:
    # Dates as ISO text on both backends: no date objects to build per row (ActivityRule compares text).
    return f"CAST({column} AS TEXT)"


# Same columns, same order as today.FACTS_SQL (one row shape for pages and the stream): the accounts
# of the path range, their rollup rows read as the range of tree order the root's organization had at
# the refresh (a member who joined it since is outside: looked up live), their subscriptions; the
# CTEs read only rows recorded since the refresh (id ranges above its marks).
STREAM_SQL = f"""
    WITH recent AS (
        SELECT o.account_id, o.ordered_on,
               (SELECT COALESCE(SUM(l.pv * l.qty), 0) FROM accounts_orderline l WHERE l.order_id = o.id) AS pv
        FROM accounts_order o WHERE o.id > %(orders_through)s AND o.ordered_on <= %(day)s),
    ro AS (
        SELECT account_id, MAX(ordered_on) AS last_order,
               SUM(CASE WHEN ordered_on >= %(month)s THEN pv ELSE 0 END) AS pv_this,
               SUM(CASE WHEN ordered_on >= %(last_month)s AND ordered_on < %(month)s THEN pv ELSE 0 END)
               AS pv_last
        FROM recent GROUP BY account_id),
    rf AS (
        SELECT f.account_id, MAX(f.paid_on) AS last_fee FROM accounts_membershipfeepayment f
        WHERE f.id > %(fees_through)s AND f.paid_on <= %(day)s GROUP BY f.account_id),
    rp AS (
        SELECT p.account_id, MAX(p.rank) AS rank FROM accounts_paidrank p
        WHERE p.id > %(paid_ranks_through)s AND p.month = %(last_month)s GROUP BY p.account_id),
    rs AS (
        SELECT s.account_id, s.reason, s.personal FROM accounts_sponsorship s
        WHERE s.id > %(sponsorships_through)s AND s.valid_to IS NULL)
    SELECT a.id, a.number, a.name, a.kind, a.depth - %(root_depth)s,
        CASE WHEN {_MOVED} THEN (SELECT sa.number FROM {A} sa WHERE sa.id = a.sponsor_id)
             ELSE tr.sponsor_number END,
        {_text("a.enrolled_on")}, a.title_rank,
        CASE WHEN a.enrolled_on > %(day)s THEN 'not_enrolled'
             WHEN a.status = 'cancelled' AND (a.cancelled_at IS NULL OR a.cancelled_at < %(end)s)
             THEN 'cancelled' ELSE 'active' END,
        CASE WHEN rs.account_id IS NOT NULL THEN rs.reason
             WHEN {_MOVED} THEN {_LIVE_PERIOD.format(column="reason")} ELSE tr.sponsor_reason END,
        CASE WHEN rs.account_id IS NOT NULL THEN rs.personal
             WHEN {_MOVED} THEN {_LIVE_PERIOD.format(column="personal")} ELSE tr.personal END,
        {_text("a.membership_fee_due_on")},
        CASE WHEN rp.account_id IS NOT NULL THEN rp.rank WHEN tr.account_id IS NULL THEN {_LIVE_RANK}
             ELSE tr.paid_rank_last_month END,
        COALESCE(sub.status, 'none'),
        {_text(f"CASE WHEN tr.account_id IS NULL THEN {_LIVE_ORDER} ELSE {_LATER_ORDER} END")},
        {_text(f"CASE WHEN tr.account_id IS NULL THEN {_LIVE_FEE} ELSE {_LATER_FEE} END")},
        CASE WHEN tr.account_id IS NULL THEN {_LIVE_PV_THIS}
             ELSE tr.personal_pv + COALESCE(ro.pv_this, 0) END,
        CASE WHEN tr.account_id IS NULL THEN {_LIVE_PV_LAST}
             ELSE tr.pv_last_month + COALESCE(ro.pv_last, 0) END,
        CASE WHEN tr.account_id IS NULL THEN {_LIVE_GROUP} ELSE tr.group_pv END
    FROM {A} a
    LEFT JOIN accounts_teamrollup tr ON tr.account_id = a.id AND tr.month = %(month)s
         AND tr.computed_at = %(computed_at)s
         AND tr.tree_order > %(order_from)s AND tr.tree_order <= %(order_to)s
    LEFT JOIN accounts_subscription sub ON sub.account_id = a.id
    LEFT JOIN ro ON ro.account_id = a.id
    LEFT JOIN rf ON rf.account_id = a.id
    LEFT JOIN rp ON rp.account_id = a.id
    LEFT JOIN rs ON rs.account_id = a.id
    WHERE a.path > %(path)s AND a.path < %(path_end)s AND a.enrolled_on <= %(day)s
"""


# From this many members on, the export reads the joined tables whole (hash joins) instead of one
# index lookup per member and table: at 117k members the lookups touch ~1 page per row at random
# (12.8 s at load 7), the scans read 1M rollup and 700k subscription rows in order (5.9 s).
WHOLE_TABLES_FROM = 20_000


def stream(sql: str, params: dict[str, Any], *, members: int = 0) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` read ``STREAM_CHUNK`` at a time (a server-side cursor on PostgreSQL);
    ``members``: about how many rows it returns (the root's rollup), to choose how tables are read."""
    if connection.vendor != "postgresql":
        yield from _fetch(sql, params)
        return
    with transaction.atomic():
        # A cursor is planned for its first 10%; the whole result is read, so plan for all of it,
        # without JIT (seconds of compilation at this cost). The planner still prefers per-row index
        # lookups for a big organization, hence no nested loops there (the CTEs over the rows recorded
        # since the refresh use index lookups in scalar subqueries either way), with the memory to
        # hash the organization's rows at once. SET LOCAL: for this transaction only.
        settings = "SET LOCAL cursor_tuple_fraction = 1.0; SET LOCAL jit = off"
        if members >= WHOLE_TABLES_FROM:
            settings += "; SET LOCAL enable_nestloop = off; SET LOCAL work_mem = '64MB'"
        with connection.cursor() as setting:
            setting.execute(settings)
        yield from _fetch(sql, params)


def _fetch(sql: str, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(STREAM_CHUNK):
            yield from chunk


class ActivityRule:
    """``decide_activity``'s verdict without its reason, for many members on one day, from dates as
    ISO text (``YYYY-MM-DD`` sorts as the dates do): the month thresholds are computed once, and
    "six months overdue" once per distinct fee due date."""

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.customer_since = add_months(as_of, -CUSTOMER_ACTIVE_MONTHS).isoformat()
        self.paid_since = add_months(as_of, -AMBASSADOR_FEE_PAID_MONTHS).isoformat()
        self.orders_since = add_months(as_of, -AMBASSADOR_NO_ORDER_MONTHS).isoformat()
        self._overdue: dict[str, bool] = {}

    def __call__(
        self, kind: str, last_order_on: str | None, fee_due_on: str | None, last_fee_on: str | None
    ) -> str:
        if kind != AccountKind.AMBASSADOR:
            if last_order_on is not None and last_order_on >= self.customer_since:
                return Activity.ACTIVE
            return Activity.INACTIVE
        if (last_fee_on is not None and last_fee_on >= self.paid_since) or fee_due_on is None:
            return Activity.ACTIVE
        overdue = self._overdue.get(fee_due_on)
        if overdue is None:
            due = date.fromisoformat(fee_due_on)
            overdue = self._overdue[fee_due_on] = self.as_of >= add_months(due, AMBASSADOR_OVERDUE_MONTHS)
        if not overdue:
            return Activity.ACTIVE
        if last_order_on is not None and last_order_on >= self.orders_since:
            return Activity.NEITHER
        return Activity.INACTIVE


def csv_rows(raw_rows: Iterator[tuple[Any, ...]], *, day: date) -> Iterator[list[Any]]:
    """One CSV line per raw stream row (dates already ISO text), in ``selectors.REPORT_COLUMNS``
    order: codes and ISO dates, like the history walk's lines."""
    rule = ActivityRule(day)
    ranks = {rank.value: rank.label for rank in Rank}
    joined: dict[tuple[Any, Any], str] = {}
    for raw in raw_rows:
        (_pk, number, name, kind, level, sponsor_number, enrolled_on, title_rank, status, reason,
         personal, fee_due, paid_rank, subscription, last_order, last_fee, pv_this, pv_last,
         group_pv) = raw  # fmt: skip
        how = joined.get((reason, personal))
        if how is None:
            how = joined[(reason, personal)] = joined_how(reason or "", bool(personal))
        yield [
            level,
            number,
            name,
            kind,
            status,
            sponsor_number,
            ranks.get(title_rank, ""),
            ranks.get(paid_rank, ""),
            int(pv_this or 0),
            int(pv_last or 0),
            int(group_pv or 0),
            subscription,
            last_order or "",
            rule(kind, last_order, fee_due, last_fee),
            enrolled_on,
            how,
        ]
