"""Benchmark of the Leads placement: the set-based run against a straightforward per-lead ORM loop.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plexus_bench .venv/bin/python bench/bench_leads.py \
        [--naive-sample 1000] [--as-of YYYY-MM-DD] [--profile] [--keep]

Data: the database at DATABASE_URL as seeded by ``manage.py seed_demo --accounts 1000000 --seed 1``
(about 100,000 accounts under "2", most of them due). On PostgreSQL the run works on a template copy
(``bench/benchdb.py``) that is dropped afterwards, so every run starts from the same state and the
seeded database is never changed. ``--seed N`` seeds N accounts first (for an empty or SQLite
database: a smoke run).

The per-lead loop (ask the database for the longest-waiting qualified sponsor, move the lead with
``sponsor_change``, stamp the sponsor, notify both) runs inside a transaction that is rolled back, on
a sample of leads, and is extrapolated to all of them; then ``leads_assign`` places everything.
Prints a table; record the figures with the machine in bench/README.md. Never a timed test.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plexus_office.settings")

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--naive-sample", type=int, default=200, help="leads placed by the per-lead loop")
parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="run day (default today)")
parser.add_argument("--seed", type=int, default=0, help="run seed_demo with this many accounts first")
parser.add_argument(
    "--all-due",
    action="store_true",
    help="in the copy, back-date by 14 days the listings under 2 not yet due, so every lead is due",
)
parser.add_argument("--profile", action="store_true", help="cProfile the set-based run (top 25)")
parser.add_argument("--keep", action="store_true", help="keep the template copy")
parser.add_argument("--chunk", type=int, default=0, help="leads per chunk (default: CHUNK_LEADS)")
parser.add_argument(
    "--floor", action="store_true", help="first run bench_leads_floor.py (same options) and print the ratio"
)
ARGS = parser.parse_args()

from benchdb import backend_cpu_seconds, use_template_copy  # noqa: E402

os.environ["BENCH_TEMPLATE_URL"] = os.environ.get("DATABASE_URL", "")

COPY = use_template_copy("leads", keep=ARGS.keep)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Account  # noqa: E402
from accounts.selectors import lead_verdict_from_annotated, qualified_lead_sponsors  # noqa: E402
from accounts.services import sponsor_change  # noqa: E402
from leads import notifications  # noqa: E402
from leads.models import LeadPlacement  # noqa: E402
from leads.selectors import accounts_under_2, classify, orphan_account_id  # noqa: E402
from leads.services import leads_assign  # noqa: E402
from leads.services import placement as placement_module  # noqa: E402
from plexus_office import clock  # noqa: E402


class Rollback(Exception):
    pass


def naive_loop(sample: int, as_of: date) -> tuple[float, int, int]:
    """Per lead: ask for the longest-waiting qualified sponsor, move the lead, stamp, notify. Rolled back."""
    leads = [
        row for row in accounts_under_2(orphan_id=orphan_account_id()) if classify(row, as_of=as_of) is None
    ]
    leads = leads[:sample]
    statements = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    # A wrapper, not CaptureQueriesContext: the loop issues more than the 9,000 statements Django logs.
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        try:
            with transaction.atomic():
                for row in leads:
                    sponsor = (
                        qualified_lead_sponsors(as_of=as_of)
                        .filter(last_lead_batch_on__isnull=True)
                        .order_by("number")
                        .first()
                        or qualified_lead_sponsors(as_of=as_of)
                        .order_by("last_lead_batch_on", "number")
                        .first()
                    )
                    assert sponsor is not None, "no qualified sponsor in the data"
                    lead = Account.objects.get(pk=row.id)
                    sponsor_change(
                        account=lead, new_sponsor=sponsor, reason="lead_placement", actor=None, on=as_of
                    )
                    Account.objects.filter(pk=sponsor.pk).update(last_lead_batch_on=as_of)
                    verdict = lead_verdict_from_annotated(sponsor, as_of=as_of)
                    notifications.send(
                        lead,
                        notifications.EVENT_LEAD_NEW_SPONSOR,
                        {"sponsor": notifications.contact(sponsor), "as_of": as_of.isoformat()},
                    )
                    notifications.send(
                        sponsor,
                        notifications.EVENT_SPONSOR_NEW_LEADS,
                        {
                            "leads": [notifications.contact(lead)],
                            "count": 1,
                            "as_of": as_of.isoformat(),
                            "facts": verdict.facts,
                        },
                    )
                raise Rollback
        except Rollback:
            pass
    return time.perf_counter() - started, statements, len(leads)


def by_kind(captured: list[dict[str, str]]) -> dict[str, tuple[int, float]]:
    """Group statements by verb and first table: {"INSERT platform_inboxentry": (count, seconds)}."""
    groups: dict[str, tuple[int, float]] = {}
    for q in captured:
        words = " ".join(q["sql"].split()).replace('"', "").split(" ")
        verb = words[0].upper()
        table = ""
        for marker in ("INTO", "FROM", "UPDATE"):
            if marker in words[:60]:
                table = words[words.index(marker) + 1]
                break
        if verb == "WITH":
            table = "(CTE) " + (words[words.index("UPDATE") + 1] if "UPDATE" in words else "")
        key = f"{verb} {table}".strip()
        count, seconds = groups.get(key, (0, 0.0))
        groups[key] = (count + 1, seconds + float(q["time"]))
    return groups


def _floor(as_of: date) -> tuple[float, float | None]:
    """Run bench_leads_floor.py on its own copy of the seeded database; its seconds and server CPU."""
    import re
    import subprocess

    args = [
        sys.executable,
        str(Path(__file__).resolve().parent / "bench_leads_floor.py"),
        "--as-of",
        str(as_of),
    ]
    if ARGS.all_due:
        args.append("--all-due")
    env = {**os.environ, "DATABASE_URL": os.environ["BENCH_TEMPLATE_URL"]}
    output = subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout
    print(output, end="")
    found = re.search(r"FLOOR_SECONDS=([0-9.]+)", output)
    cpu = re.search(r"FLOOR_CPU=([0-9.]+)", output)
    return (float(found.group(1)) if found else 0.0), (float(cpu.group(1)) if cpu else None)


def main() -> None:
    setup = ""
    if ARGS.seed:
        started = time.perf_counter()
        call_command("seed_demo", accounts=ARGS.seed)
        setup = f"; seed_demo {ARGS.seed:,} in {time.perf_counter() - started:.1f} s"
    as_of = clock.today(ARGS.as_of)
    if ARGS.all_due:
        if COPY is None:
            sys.exit("--all-due changes data: PostgreSQL template copies only")
        from datetime import timedelta

        from django.db.models import F
        from django.db.models.functions import Coalesce

        backdated = (
            Account.objects.filter(sponsor_id=orphan_account_id())
            .annotate(listed=Coalesce("listed_under_2_on", "enrolled_on"))
            .filter(listed__gt=as_of - timedelta(days=14))
            .update(listed_under_2_on=Coalesce("listed_under_2_on", "enrolled_on") - timedelta(days=14))
        )
        setup += f"; --all-due back-dated {backdated:,} listings by 14 days"
        del F
    due = sum(1 for row in accounts_under_2() if classify(row, as_of=as_of) is None)
    members = Account.objects.count()

    floor_seconds, floor_cpu = _floor(as_of) if ARGS.floor else (None, None)
    naive_seconds, naive_queries, naive_n = (0.0, 0, 0)
    if ARGS.naive_sample:
        naive_seconds, naive_queries, naive_n = naive_loop(ARGS.naive_sample, as_of)
    if ARGS.chunk:
        placement_module.CHUNK_LEADS = ARGS.chunk
    connection.force_debug_cursor = True
    connection.queries_log.clear()  # a full log (9,000) would make CaptureQueriesContext count 0
    profiler = cProfile.Profile() if ARGS.profile else None
    cpu_before = backend_cpu_seconds(connection)
    with clock.frozen_at(as_of), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        result = leads_assign(as_of=as_of, actor=None, trigger="bench")
        if profiler:
            profiler.disable()
        real_seconds = time.perf_counter() - started
    connection.force_debug_cursor = False
    cpu_after = backend_cpu_seconds(connection)
    server_cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    placed = len(result.placements)
    sql_seconds = sum(float(q["time"]) for q in queries.captured_queries)
    slowest = sorted(queries.captured_queries, key=lambda q: float(q["time"]), reverse=True)[:5]
    per_lead = naive_seconds / naive_n if naive_n else 0.0
    print(
        f"# bench_leads on {connection.vendor} ({connection.settings_dict['NAME']}), as of {as_of}; "
        f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}{setup}; "
        f"load average {os.getloadavg()[0]:.1f}; chunks of {placement_module.CHUNK_LEADS:,} leads"
    )
    print(
        f"accounts {members:,}; due leads {due:,}; qualified sponsors {len(result.plan.sponsors):,} "
        f"(open {len(result.plan.open_sponsors):,}); batches {result.run.batch_count:,}"
    )
    print(f"{'method':<36}{'leads':>10}{'seconds':>12}{'queries':>12}")
    print(f"{'set-based leads_assign':<36}{placed:>10,}{real_seconds:>12.2f}{len(queries):>12,}")
    print(f"{'  of which in SQL (client-side)':<36}{'':>10}{sql_seconds:>12.2f}")
    if server_cpu is not None:
        print(f"{'  server CPU (PostgreSQL backend)':<36}{'':>10}{server_cpu:>12.2f}")
    if naive_n:
        print(f"{'per-lead ORM loop (sample)':<36}{naive_n:>10,}{naive_seconds:>12.2f}{naive_queries:>12,}")
        print(
            f"{'per-lead ORM loop (extrapolated)':<36}{due:>10,}{per_lead * due:>12.0f}"
            f"{naive_queries / naive_n * due:>12,.0f}"
        )
    print("SQL time of the set-based run by statement kind (client-side, includes network and COMMIT):")
    for kind, (count, seconds) in sorted(by_kind(queries.captured_queries).items(), key=lambda kv: -kv[1][1]):
        print(f"  {seconds:8.2f} s {count:>6,}  {kind}")
    print("slowest statements of the set-based run:")
    for q in slowest:
        print(f"  {float(q['time']):8.3f} s  {' '.join(q['sql'].split())[:150]}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    if floor_seconds:
        print(
            f"project/floor: {real_seconds:.2f} s / {floor_seconds:.2f} s = "
            f"{real_seconds / floor_seconds:.2f}x "
            f"(floor: bench/leads_floor.sql, one transaction, on its own copy just before)"
        )
        if floor_cpu and server_cpu is not None:
            print(
                f"project/floor server CPU: {server_cpu:.2f} s / {floor_cpu:.2f} s = "
                f"{server_cpu / floor_cpu:.2f}x"
            )
    duplicates = LeadPlacement.objects.count() - LeadPlacement.objects.values("lead").distinct().count()
    print(f"placements recorded {LeadPlacement.objects.count():,}; duplicates {duplicates}")
    if duplicates:
        sys.exit("duplicate placements")


if __name__ == "__main__":
    main()
