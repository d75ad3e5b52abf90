"""My team at scale: today's recursive CTE next to the materialized path, and the as-of walks, in the
same run, against issue 19's targets.

    DATABASE_URL=postgres://... python manage.py seed_demo --accounts 1000000 --seed 1
    DATABASE_URL=postgres://... python manage.py migrate          # backfills Account.path
    DATABASE_URL=postgres://... python bench/bench_team.py [--repeat 5] [--moves 100000] [--csv]

Writes (the Leads run's moves, the clearing roll-up, the rollup refresh) run inside a transaction
that is rolled back, so the database is left as it was (the rollup is kept when ``--rollup`` is
given: the report reads it). Prints best and median wall time and the queries each operation ran.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plexus_office.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts import genealogy, genealogy_cte  # noqa: E402
from accounts.history import downline_on, downline_page_on, is_in_downline_on  # noqa: E402
from accounts.models import Account, SponsorChangeReason  # noqa: E402
from accounts.services import sponsor_change_many  # noqa: E402
from accounts.team import views as team_views  # noqa: E402
from accounts.team.asof import page_on  # noqa: E402
from accounts.team.rollup import team_rollup_refresh  # noqa: E402
from accounts.team.selectors import ReportFilters, children_on, csv_lines, report_page_on  # noqa: E402
from accounts.team.today import TodayReport, downline_size_today  # noqa: E402
from plexus_office import clock  # noqa: E402

Row = tuple[str, float, float, int, str]


class Rollback(Exception):
    pass


def measure(label: str, func: Callable[[], Any], repeat: int) -> Row:
    times, result, queries = [], None, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = func()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return label, min(times), statistics.median(times), queries, str(result)[:48]


def rolled_back(func: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``func`` in a transaction and undo it; returns its result (timed inside)."""

    def run() -> Any:
        box: list[Any] = []
        try:
            with transaction.atomic():
                box.append(func())
                raise Rollback
        except Rollback:
            pass
        return box[0]

    return run


def old_moves(moves: list[tuple[int, int]], reason: str) -> int:
    """``sponsor_change_many`` on PostgreSQL as it was before the path: the same three statements
    without the path and depth (the baseline the path's cost is measured against)."""
    accounts = [a for a, _s in moves]
    sponsors = [s for _a, s in moves]
    day = clock.today()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_sponsorship SET valid_to = %s, end_reason = %s "
            "WHERE account_id = ANY(%s::bigint[]) AND valid_to IS NULL",
            [day, reason, accounts],
        )
        cursor.execute(
            "INSERT INTO accounts_sponsorship (account_id, sponsor_id, valid_from, valid_to, reason, "
            "end_reason, personal, created_by_id, created_at) SELECT m.account_id, m.sponsor_id, %s, NULL, "
            "%s, '', false, NULL, now() FROM unnest(%s::bigint[], %s::bigint[]) AS m(account_id, sponsor_id)",
            [day, reason, accounts, sponsors],
        )
        cursor.execute(
            "UPDATE accounts_account AS a SET sponsor_id = m.sponsor_id, personally_enrolled = false, "
            "listed_under_2_on = CASE WHEN m.sponsor_id = (SELECT id FROM accounts_account WHERE number = 2) "
            "THEN %s::date ELSE NULL END "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS m(account_id, sponsor_id) WHERE a.id = m.account_id",
            [day, accounts, sponsors],
        )
    return len(moves)


def lead_moves(count: int) -> list[tuple[int, int]]:
    """``count`` (lead -> sponsor) moves: leaves (no downline) handed to ambassadors round robin."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id FROM accounts_account a WHERE a.kind <> 'ambassador' AND a.sponsor_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM accounts_account c WHERE c.sponsor_id = a.id) "
            "ORDER BY a.id LIMIT %s",
            [count],
        )
        leads = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT id FROM accounts_account WHERE kind = 'ambassador' AND NOT is_corporate "
            "ORDER BY id LIMIT 2000"
        )
        sponsors = [row[0] for row in cursor.fetchall()]
    return [(lead, sponsors[i % len(sponsors)]) for i, lead in enumerate(leads)]


def roll_up_moves(size: int) -> tuple[Account, list[tuple[int, int]], int]:
    """A member whose downline is closest to ``size`` (at least it), its direct downline moved to its
    sponsor: the clearing roll-up's moves."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, COUNT(*) FROM accounts_account s JOIN accounts_account d "
            "ON d.path > s.path AND d.path < s.path || '~' WHERE s.depth BETWEEN 4 AND 8 "
            "AND s.sponsor_id IS NOT NULL AND s.id IN (SELECT sponsor_id FROM accounts_account "
            "WHERE sponsor_id IS NOT NULL GROUP BY sponsor_id HAVING COUNT(*) >= 5 LIMIT 3000) "
            "GROUP BY s.id HAVING COUNT(*) >= %s ORDER BY COUNT(*) LIMIT 1",
            [size],
        )
        member_id, below = cursor.fetchone()
    member = Account.objects.get(pk=member_id)
    children = list(Account.objects.filter(sponsor=member).values_list("pk", flat=True))
    return member, [(child, member.sponsor_id) for child in children], below


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--moves", type=int, default=100_000, help="the Leads run's moves")
    parser.add_argument("--roll-up", type=int, default=10_000, help="size of the rolled-up subtree")
    parser.add_argument("--rollup", action="store_true", help="refresh the team rollup first (kept)")
    parser.add_argument("--reads-only", action="store_true", help="skip the moves (minutes under load)")
    parser.add_argument(
        "--only",
        choices=("csv", "asof", "csv,asof"),
        help="just the CSV export and/or the as-of views (the rollup must be fresh: --rollup)",
    )
    args = parser.parse_args()

    leader = Account.objects.filter(user__username="leader").first()
    if leader is None:
        sys.exit("no seed_demo data: run `python manage.py seed_demo --accounts N` first")
    deep = Account.objects.filter(sponsor__isnull=False).order_by("-depth").first() or leader
    while deep.depth > leader.depth and not genealogy.is_in_downline(member_id=deep.pk, upline_id=leader.pk):
        deep = (
            Account.objects.filter(path__gt=leader.path, path__lt=leader.path + "~")
            .order_by("-depth")
            .first()
        )
    members = Account.objects.filter(is_corporate=False).count()
    size = genealogy.downline_count(account_id=leader.pk)
    today = clock.today()
    past = today - timedelta(days=180)
    print(
        f"# bench_team on {connection.vendor}, {members:,} members, "
        f"leader #{leader.number} downline {size:,}, "
        f"deepest below it at depth {deep.depth - leader.depth}; {platform.node()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load {os.getloadavg()[0]:.2f}"
    )
    rows: list[Row] = []
    if args.rollup:
        rows.append(measure("rollup refresh (whole company)", team_rollup_refresh, 1))
    r = args.repeat
    if args.only:
        if "csv" in args.only:
            rows += csv_rows(leader, today)
        if "asof" in args.only:
            rows += as_of_rows(leader, past, r)
        report_rows_of(rows)
        return
    report = TodayReport(root=leader, day=today, filters=ReportFilters())
    rows += [
        measure("count: CTE", lambda: genealogy_cte.downline_count(account_id=leader.pk), r),
        measure("count: path", lambda: genealogy.downline_count(account_id=leader.pk), r),
        measure(
            "page 1 (level order): CTE", lambda: len(genealogy_cte.downline_page(account_id=leader.pk)), r
        ),
        measure("page 1 (level order): path", lambda: len(genealogy.downline_page(account_id=leader.pk)), r),
        measure("downline size: fresh rollup, else count", lambda: downline_size_today(root=leader)[0], r),
        measure("report page 1 + facts: path", lambda: len(report[0:50]), r),
        measure("report page 100 + facts: path", lambda: len(report[4950:5000]), r),
        measure(
            "report count: path",
            lambda: TodayReport(root=leader, day=today, filters=ReportFilters()).count(),
            r,
        ),
        measure("report totals: rollup", lambda: report.totals().members, r),
        measure(
            "in downline: CTE",
            lambda: genealogy_cte.is_in_downline(member_id=deep.pk, upline_id=leader.pk),
            r,
        ),
        measure(
            "in downline: path", lambda: genealogy.is_in_downline(member_id=deep.pk, upline_id=leader.pk), r
        ),
        measure("tree level + sizes: path (today)", lambda: len(children_on(parent=leader, day=today)), r),
        measure("as-of whole walk (-180 d)", lambda: len(downline_on(account=leader, day=past)), 1),
        measure(
            "as-of in downline (-180 d)",
            lambda: is_in_downline_on(member_id=deep.pk, upline_id=leader.pk, day=past),
            r,
        ),
    ]

    rows += csv_rows(leader, today)
    rows += as_of_rows(leader, past, r)

    if args.reads_only:
        args.moves = 0
    moves = lead_moves(args.moves) if args.moves else []
    reason = SponsorChangeReason.LEAD_PLACEMENT
    rows.append(
        measure(f"{len(moves):,} lead moves: before path", rolled_back(lambda: old_moves(moves, reason)), 1)
    )
    rows.append(
        measure(
            f"{len(moves):,} lead moves: with path",
            rolled_back(lambda: sponsor_change_many(moves=moves, reason=reason, actor=None)),
            1,
        )
    )
    if args.reads_only:
        report_rows_of(rows)
        return
    member, roll, below = roll_up_moves(args.roll_up)
    roll_reason = SponsorChangeReason.CLEARING_ROLL_UP
    label = f"roll-up {below:,} below #{member.number}"
    rows.append(measure(f"{label}: before", rolled_back(lambda: old_moves(roll, roll_reason)), 1))
    rows.append(
        measure(
            f"{label}: with path",
            rolled_back(lambda: sponsor_change_many(moves=roll, reason=roll_reason, actor=None)),
            2,
        )
    )
    report_rows_of(rows)


def csv_rows(leader: Account, today: Any) -> list[Row]:
    """The CSV of the leader's report through the view's own writer (64 kB pieces, as a download
    gets them), and the same rows built as ``ReportRow``s with each activity's reason (before)."""

    def through_view() -> str:
        report = TodayReport(root=leader, day=today, filters=ReportFilters())
        started = time.perf_counter()
        size = lines = 0
        for piece in team_views._csv(report, leader, today).streaming_content:
            size += len(piece)
            lines += piece.count(b"\n")
        rows = lines - 1
        return f"{rows:,} rows, {size / 1e6:.1f} MB, {rows / (time.perf_counter() - started):,.0f} rows/s"

    def report_rows_then_csv() -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        started = time.perf_counter()
        count = 0
        for line in csv_lines(iter(TodayReport(root=leader, day=today, filters=ReportFilters()))):
            writer.writerow(line)
            count += 1
            if out.tell() > 1 << 20:  # a streamed response: constant memory
                out.seek(0)
                out.truncate()
        return f"{count - 1:,} rows, {(count - 1) / (time.perf_counter() - started):,.0f} rows/s"

    return [
        measure("CSV: view, rollup facts, no reasons", through_view, 1),
        measure("CSV: same rows as ReportRow + reasons", report_rows_then_csv, 1),
        measure("CSV: view again (warm)", through_view, 1),
    ]


def old_level_sizes(leader: Account, past: Any) -> int:
    """Before: each child's whole downline of a past day, one recursive walk of the history."""
    ids = [node.id for node in children_on(parent=leader, day=past)]
    marks = ", ".join(["%s"] * len(ids))
    period = "s.valid_from <= %s AND (s.valid_to IS NULL OR s.valid_to > %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE down(id, top_id) AS (SELECT s.account_id, s.sponsor_id "  # noqa: S608
            f"FROM accounts_sponsorship s WHERE s.sponsor_id IN ({marks}) AND {period} "
            "UNION ALL SELECT s.account_id, down.top_id "
            f"FROM accounts_sponsorship s JOIN down ON s.sponsor_id = down.id WHERE {period}) "
            "SELECT COUNT(*) FROM down",
            [*ids, past, past, past, past],
        )
        return int(cursor.fetchone()[0])


def as_of_rows(leader: Account, past: Any, r: int) -> list[Row]:
    first = page_on(root=leader, day=past)
    middle = page_on(root=leader, day=past, after=first.rows[-1][1])
    for _ in range(40):  # a page deep in the organization
        middle = page_on(root=leader, day=past, after=middle.rows[-1][1])
    return [
        measure(
            "as-of tree level, direct counts (-180 d)", lambda: len(children_on(parent=leader, day=past)), r
        ),
        measure("as-of tree level sizes: history walk (before)", lambda: old_level_sizes(leader, past), 1),
        measure(
            "as-of report page 1 + facts (keyset)", lambda: len(report_page_on(root=leader, day=past)[1]), r
        ),
        measure(
            "as-of report page 42, next (keyset)",
            lambda: len(report_page_on(root=leader, day=past, after=middle.rows[-1][1])[1]),
            r,
        ),
        measure(
            "as-of report page 41, previous (keyset)",
            lambda: len(report_page_on(root=leader, day=past, before=middle.rows[0][1])[1]),
            r,
        ),
        measure("as-of page 1 (-180 d, DFS)", lambda: len(downline_page_on(account=leader, day=past)), r),
    ]


def report_rows_of(rows: list[Row]) -> None:
    print(f"{'operation':<42} {'best ms':>10} {'median ms':>10} {'queries':>8}  result")
    for name, best, median, queries, result in rows:
        print(f"{name:<42} {best:>10.1f} {median:>10.1f} {queries:>8}  {result}")


if __name__ == "__main__":
    main()
