"""The clearing roll-up of a ~10k subtree at 1M members: the code before and after, in the same run.

    DATABASE_URL=postgres://.../<a copy migrated to head> python bench/bench_rollup.py [--repeat 3]

Each variant runs ``--repeat`` times, the variants interleaved, each inside a transaction that is
rolled back, then ``VACUUM accounts_account`` (untimed) so every run starts from the same table:
dead versions left by a rolled-back rewrite would otherwise be read and written again by the next.

* floor: the moved children alone (history + their rows, no path): what the roll-up cost before the
  materialized path (``bench_team.old_moves``);
* before: ``sponsor_change_many`` as it was (the descendants' ranges joined blind, so a whole-table
  scan) with the whole-table ``lower(email)`` index (migration 0020 removed it);
* plan only: today's statements, the whole-table email index still there;
* after: today's code and indexes.

The whole-table email index is built once at the start (untimed) and dropped at the end, so it is as
settled as the other indexes; "after" drops it inside its rolled-back transaction.

Prints best and median wall time; ``uptime``'s load is printed with each run. ``--explain`` adds one
more run per variant whose writes run under ``EXPLAIN (ANALYZE, BUFFERS, WAL)`` and prints what they
cost the server: pages dirtied, pages the backend had to write out itself (shared_buffers is 128 MB
here), WAL records, full-page images and bytes. Those counts barely move with the machine's load;
each counted run follows a ``CHECKPOINT`` (superuser), so every page it dirties pays its full-page
image, as the first roll-up after a checkpoint does: without it, whether a run pays depends on what
earlier runs (and the other databases' writes) touched since the last checkpoint.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plexus_office.settings")

import django  # noqa: E402

django.setup()

from bench_team import old_moves, roll_up_moves  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import SponsorChangeReason  # noqa: E402
from accounts.paths import TOP, nested, parents_among  # noqa: E402
from accounts.services import _sponsor_change_many_sql, sponsor_change_many  # noqa: E402
from plexus_office import clock  # noqa: E402

REASON = SponsorChangeReason.CLEARING_ROLL_UP
OLD_EMAIL_INDEX = "CREATE INDEX IF NOT EXISTS account_email_lower ON accounts_account (lower(email))"


class Rollback(Exception):
    pass


def old_descendants_move(parents: list[tuple[int, str, int]]) -> int:
    """``accounts.paths.descendants_move`` before this change: the old ranges only in the join."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_account AS d SET path = p.path || substr(d.path, length(o.old_path) + 1), "
            "depth = d.depth + p.depth - o.old_depth "
            "FROM unnest(%s::bigint[], %s::text[], %s::int[]) AS o(id, old_path, old_depth) "
            "JOIN accounts_account p ON p.id = o.id "
            'WHERE d.path > o.old_path COLLATE "C" AND d.path < (o.old_path || %s) COLLATE "C"',
            [[p[0] for p in parents], [p[1] for p in parents], [p[2] for p in parents], TOP],
        )
        return cursor.rowcount


def old_roll_up(moves: list[tuple[int, int]]) -> int:
    moved = {a for a, _s in moves}
    parents = parents_among(sorted(moved))
    nested(parents=parents, sponsor_ids=[s for _a, s in moves], moved_ids=moved)
    _sponsor_change_many_sql(moves=moves, reason=REASON, user_id=None, day=clock.today())
    return old_descendants_move(parents)


def timed_in_rollback(func: Callable[[], Any], *, setup: str = "") -> float:
    """Milliseconds of ``func`` inside a transaction that is then rolled back (``setup`` SQL untimed)."""
    elapsed = 0.0
    try:
        with transaction.atomic():
            if setup:
                with connection.cursor() as cursor:
                    cursor.execute(setup)
            started = time.perf_counter()
            func()
            elapsed = (time.perf_counter() - started) * 1000
            raise Rollback
    except Rollback:
        pass
    with connection.cursor() as cursor:
        cursor.execute("VACUUM accounts_account")
    return elapsed


COUNTERS = ("Shared Dirtied Blocks", "Shared Written Blocks", "WAL Records", "WAL FPI", "WAL Bytes")


def counted_in_rollback(func: Callable[[], Any], *, setup: str = "") -> dict[str, int]:
    """The server-side cost of ``func``'s writes: each UPDATE/INSERT runs under EXPLAIN ANALYZE."""
    totals = dict.fromkeys(COUNTERS, 0)

    def explained(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if many or not sql.lstrip().upper().startswith(("UPDATE", "INSERT")):
            return execute(sql, params, many, context)
        result = execute(f"EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) {sql}", params, many, context)
        plan = context["cursor"].fetchone()[0]
        top = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
        for key in COUNTERS:
            totals[key] += int(top.get(key, 0))
        return result

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
    with connection.execute_wrapper(explained):
        timed_in_rollback(func, setup=setup)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--roll-up", type=int, default=10_000, help="size of the rolled-up subtree")
    parser.add_argument("--explain", action="store_true", help="one more run per variant, server counters")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_rollup: PostgreSQL only (DATABASE_URL)")
    member, moves, below = roll_up_moves(args.roll_up)
    print(f"# roll-up of #{member.number}: {len(moves)} children, {below:,} below; load {os.getloadavg()}")
    variants: dict[str, tuple[Callable[[], Any], str]] = {
        "floor (children only, no path)": (lambda: old_moves(moves, REASON), ""),
        "before (blind range join, whole email index)": (lambda: old_roll_up(moves), ""),
        "plan only (whole email index kept)": (
            lambda: sponsor_change_many(moves=moves, reason=REASON, actor=None),
            "",
        ),
        "after": (
            lambda: sponsor_change_many(moves=moves, reason=REASON, actor=None),
            "DROP INDEX account_email_lower",
        ),
    }
    with connection.cursor() as cursor:
        cursor.execute(OLD_EMAIL_INDEX)
        cursor.execute("VACUUM ANALYZE accounts_account")
    times: dict[str, list[float]] = {name: [] for name in variants}
    for run in range(args.repeat):
        for name, (func, setup) in variants.items():
            ms = timed_in_rollback(func, setup=setup)
            times[name].append(ms)
            print(f"  run {run + 1} {name}: {ms:,.0f} ms (load {os.getloadavg()[0]:.2f})", flush=True)
    print(f"{'variant':<46} {'best ms':>9} {'median ms':>10}")
    for name, values in times.items():
        print(f"{name:<46} {min(values):>9,.0f} {statistics.median(values):>10,.0f}")
    if args.explain:
        print(f"{'variant':<46} " + " ".join(f"{key:>22}" for key in COUNTERS))
        for name, (func, setup) in variants.items():
            counts = counted_in_rollback(func, setup=setup)
            print(f"{name:<46} " + " ".join(f"{counts[key]:>22,}" for key in COUNTERS), flush=True)
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX account_email_lower")


if __name__ == "__main__":
    main()
