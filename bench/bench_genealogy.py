"""Genealogy and qualification timings on seed_demo data (PostgreSQL; runs on SQLite for a smoke check).

    DATABASE_URL=postgres://... python manage.py seed_demo --accounts 1000000 --seed 1
    DATABASE_URL=postgres://... python bench/bench_genealogy.py [--repeat 5]

Prints one row per operation: best and median wall time over the repeats, and the queries it ran.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plexus_office.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.genealogy import downline_count, downline_page, is_in_downline, upline_ids  # noqa: E402
from accounts.models import Account  # noqa: E402
from accounts.selectors import qualified_lead_sponsors  # noqa: E402
from plexus_office import clock  # noqa: E402


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


def deepest_account() -> Account:
    """The member with the longest upline: found from the seed's 30-deep line below the leader."""
    leader = Account.objects.filter(user__username="leader").first()
    if leader is not None:
        deepest = Account.objects.filter(number=leader.number + 29).first()
        if deepest is not None:
            return deepest
    return Account.objects.filter(is_corporate=False).order_by("number").last()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    leader = Account.objects.filter(user__username="leader").first()
    if leader is None:
        sys.exit("no seed_demo data: run `python manage.py seed_demo --accounts N` first")
    deep = deepest_account()
    today = clock.today()
    members = Account.objects.filter(is_corporate=False).count()
    size = downline_count(account_id=leader.pk)
    print(
        f"# bench_genealogy on {connection.vendor}, {members:,} members, leader downline {size:,}, "
        f"depth {len(upline_ids(account_id=deep.pk))}; {platform.node()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    rows = [
        measure("upline at depth 30", lambda: len(upline_ids(account_id=deep.pk)), args.repeat),
        measure(
            "is_in_downline depth 30",
            lambda: is_in_downline(member_id=deep.pk, upline_id=leader.pk),
            args.repeat,
        ),
        measure(
            "is_in_downline (not)",
            lambda: is_in_downline(member_id=leader.pk, upline_id=deep.pk),
            args.repeat,
        ),
        measure(
            "leader downline page 1", lambda: len(downline_page(account_id=leader.pk, limit=50)), args.repeat
        ),
        measure(
            "leader downline page 100",
            lambda: len(downline_page(account_id=leader.pk, limit=50, offset=4950)),
            args.repeat,
        ),
        measure(
            "leader downline search",
            lambda: len(downline_page(account_id=leader.pk, search="lindqvist", limit=50)),
            args.repeat,
        ),
        measure("leader downline count", lambda: downline_count(account_id=leader.pk), args.repeat),
        measure("qualified lead sponsors", lambda: qualified_lead_sponsors(as_of=today).count(), args.repeat),
    ]
    print(f"{'operation':<28} {'best ms':>10} {'median ms':>10} {'queries':>8}  result")
    for label, best, median, queries, result in rows:
        print(f"{label:<28} {best:>10.1f} {median:>10.1f} {queries:>8}  {result}")


if __name__ == "__main__":
    main()
