"""My team at scale: the as-of history walks next to today's live-tree CTE, in the same run.

    DATABASE_URL=postgres://... python manage.py seed_demo --accounts 1000000 --seed 1
    DATABASE_URL=postgres://... python bench/bench_team.py [--repeat 3] [--report] [--index]

``--index`` also measures the history walks with a covering btree on the open-period lookup
(``sponsor_id, valid_from`` including ``account_id, valid_to, personal, reason``), created and dropped
here (PostgreSQL only). Prints best and median wall time and the queries each operation ran.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plexus_office.settings")

import django  # noqa: E402

django.setup()

import csv  # noqa: E402

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.genealogy import downline_count, downline_page, is_in_downline, upline_ids  # noqa: E402
from accounts.history import downline_on, is_in_downline_on  # noqa: E402
from accounts.models import Account  # noqa: E402
from accounts.team.selectors import ReportFilters, children_on, csv_lines, report_rows  # noqa: E402
from plexus_office import clock  # noqa: E402

INDEX = "bench_sponsorship_open_by_sponsor"


def measure(label: str, func, repeat: int) -> tuple[str, float, float, int, str]:
    times = []
    result = None
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = func()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return label, min(times), statistics.median(times), queries, str(result)[:40]


def walks(leader: Account, deep: Account, repeat: int, tag: str) -> list[tuple[str, float, float, int, str]]:
    today = clock.today()
    past = today - timedelta(days=180)
    return [
        measure(f"history count today{tag}", lambda: len(downline_on(account=leader, day=today)), repeat),
        measure(f"history count -180 d{tag}", lambda: len(downline_on(account=leader, day=past)), repeat),
        measure(f"tree level (+ sizes){tag}", lambda: len(children_on(parent=leader, day=today)), repeat),
        measure(
            f"history in_downline d30{tag}",
            lambda: is_in_downline_on(member_id=deep.pk, upline_id=leader.pk, day=today),
            repeat,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--report", action="store_true", help="also the whole report and its CSV (slow)")
    parser.add_argument("--index", action="store_true", help="also with a covering index (PostgreSQL)")
    args = parser.parse_args()

    leader = Account.objects.filter(user__username="leader").first()
    if leader is None:
        sys.exit("no seed_demo data: run `python manage.py seed_demo --accounts N` first")
    deep = Account.objects.filter(number=leader.number + 29).first() or leader
    members = Account.objects.filter(is_corporate=False).count()
    size = downline_count(account_id=leader.pk)
    print(
        f"# bench_team on {connection.vendor}, {members:,} members, leader downline {size:,}, depth "
        f"{len(upline_ids(account_id=deep.pk))}; {platform.node()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    rows = [
        measure("CTE live count", lambda: downline_count(account_id=leader.pk), args.repeat),
        measure("CTE live page 1", lambda: len(downline_page(account_id=leader.pk, limit=50)), args.repeat),
        measure(
            "CTE live in_downline d30",
            lambda: is_in_downline(member_id=deep.pk, upline_id=leader.pk),
            args.repeat,
        ),
        *walks(leader, deep, args.repeat, ""),
    ]
    if args.index and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON accounts_sponsorship (sponsor_id, valid_from) "
                "INCLUDE (account_id, valid_to, personal, reason)"
            )
            cursor.execute("ANALYZE accounts_sponsorship")
        try:
            rows += walks(leader, deep, args.repeat, " +idx")
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    if args.report:
        today = clock.today()
        report: list = []

        def build() -> int:
            report[:] = report_rows(root=leader, day=today, filters=ReportFilters())
            return len(report)

        rows.append(measure("report: whole org + facts", build, 1))

        def export() -> str:
            out = io.StringIO()
            writer = csv.writer(out)
            started = time.perf_counter()
            count = sum(1 for _ in map(writer.writerow, csv_lines(report)))
            return f"{count / (time.perf_counter() - started):,.0f} rows/s"

        rows.append(measure("CSV of the built report", export, 1))
    print(f"{'operation':<30} {'best ms':>10} {'median ms':>10} {'queries':>8}  result")
    for label, best, median, queries, result in rows:
        print(f"{label:<30} {best:>10.1f} {median:>10.1f} {queries:>8}  {result}")


if __name__ == "__main__":
    main()
