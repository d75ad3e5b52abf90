"""The database's floor for a Leads run: ``bench/leads_floor.sql`` timed statement by statement.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plexus_bench .venv/bin/python bench/bench_leads_floor.py \
        [--all-due] [--as-of YYYY-MM-DD] [--keep]

Same data and same ``--all-due`` back-dating as ``bench_leads.py``, on its own template copy: the pure-SQL
plan and writes of every due lead in one transaction, committed (so deferred foreign-key checks count).
Prints the time of each statement, of the COMMIT, and the total. ``bench_leads.py --floor`` runs this
first and prints the project/floor ratio. PostgreSQL only; never a timed test.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plexus_office.settings")

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="run day (default today)")
parser.add_argument(
    "--all-due", action="store_true", help="back-date the listings not yet due (as bench_leads)"
)
parser.add_argument("--keep", action="store_true", help="keep the template copy")
ARGS = parser.parse_args()

from benchdb import backend_cpu_seconds, use_template_copy  # noqa: E402

COPY = use_template_copy("floor", keep=ARGS.keep)
if COPY is None:
    sys.exit("bench_leads_floor: PostgreSQL only")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from accounts.selectors import (  # noqa: E402
    LEAD_MIN_PAID_RANK,
    LEAD_MIN_SUBSCRIPTION_PV,
    LEAD_MIN_TITLE_RANK,
    LEAD_RECRUIT_WINDOW_MONTHS,
)
from leads.selectors import DUE_AFTER_DAYS, orphan_account_id  # noqa: E402
from plexus_office import clock  # noqa: E402
from plexus_office.dates import add_months, half_month, previous_months  # noqa: E402

SQL = (Path(__file__).resolve().parent / "leads_floor.sql").read_text()


def main() -> None:
    as_of = clock.today(ARGS.as_of)
    orphan = orphan_account_id()
    if ARGS.all_due:
        with connection.cursor() as cursor:  # bench_leads.py's back-dating, outside the timing
            cursor.execute(
                "UPDATE accounts_account SET listed_under_2_on = COALESCE(listed_under_2_on, enrolled_on) "
                "- 14 WHERE sponsor_id = %s AND COALESCE(listed_under_2_on, enrolled_on) > %s",
                [orphan, as_of - timedelta(days=14)],
            )
            cursor.execute("ANALYZE accounts_account")
    month1, month2 = previous_months(as_of, 2)
    params = {
        "as_of": as_of,
        "half": half_month(as_of)[0],
        "month1": month1,
        "month2": month2,
        "since": add_months(as_of, -LEAD_RECRUIT_WINDOW_MONTHS),
        "due_listed": as_of - timedelta(days=DUE_AFTER_DAYS),
        "orphan": orphan,
        "min_paid": int(LEAD_MIN_PAID_RANK),
        "min_title": int(LEAD_MIN_TITLE_RANK),
        "min_pv": LEAD_MIN_SUBSCRIPTION_PV,
    }
    statements = []
    for chunk in SQL.split("-- ;;"):
        body = "\n".join(line for line in chunk.splitlines() if not line.lstrip().startswith("--")).strip()
        if body:
            statements.append(body)
    timings: list[tuple[float, int, str]] = []
    cpu_before = backend_cpu_seconds(connection)
    started = time.perf_counter()
    atomic = transaction.atomic()
    atomic.__enter__()
    with connection.cursor() as cursor:
        # As the project's run (leads/services/placement_sql.py): JIT compilation costs these
        # statements more than it saves.
        cursor.execute("SET LOCAL jit = off")
        for statement in statements:
            t0 = time.perf_counter()
            cursor.execute(statement, params)
            timings.append((time.perf_counter() - t0, cursor.rowcount, " ".join(statement.split())[:90]))
    t0 = time.perf_counter()
    atomic.__exit__(None, None, None)  # COMMIT: the deferred foreign-key checks run here
    commit = time.perf_counter() - t0
    total = time.perf_counter() - started
    cpu_after = backend_cpu_seconds(connection)
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    with connection.cursor() as cursor:
        cursor.execute("SELECT placed_count, batch_count FROM leads_leadrun WHERE trigger = 'floor'")
        placed, batches = cursor.fetchone()
    print(
        f"# bench_leads_floor on {connection.settings_dict['NAME']}, as of {as_of}; {platform.node()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    for seconds, rows, text in timings:
        print(f"  {seconds:8.2f} s {rows:>9,} rows  {text}")
    print(f"  {commit:8.2f} s            COMMIT")
    print(f"floor: {placed:,} leads placed in {batches:,} batches in {total:.2f} s (one transaction)")
    if cpu is not None:
        print(f"floor: server CPU {cpu:.2f} s; FLOOR_CPU={cpu:.2f}")
    print(f"FLOOR_SECONDS={total:.2f}")


if __name__ == "__main__":
    main()
