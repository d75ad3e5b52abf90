"""Benchmark of the Leads placement: the set-based run against a straightforward per-lead ORM loop.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plexus_bench .venv/bin/python bench/bench_leads.py \
        --accounts 1000000 [--naive-sample 1000] [--keep]

Data: ``manage.py seed_demo --accounts N`` when that command exists (about 10% due leads under "2"
and thousands of qualified sponsors at 1,000,000), otherwise a bulk setup here with the same shape.
The naive loop runs inside a transaction that is rolled back, on a sample of leads, and is
extrapolated to all of them; then the real run places everything. Prints a table; record the
figures with the machine in bench/README.md. Never a timed test.
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plexus_office.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import (  # noqa: E402
    Account,
    AccountKind,
    PaidRank,
    Rank,
    SponsorChangeReason,
    Sponsorship,
    Subscription,
)
from accounts.selectors import lead_verdict_from_annotated, qualified_lead_sponsors  # noqa: E402
from accounts.services import sponsor_change  # noqa: E402
from leads import notifications  # noqa: E402
from leads.models import LeadPlacement  # noqa: E402
from leads.selectors import accounts_under_2, classify, orphan_account_id  # noqa: E402
from leads.services import leads_assign  # noqa: E402
from plexus_office import clock  # noqa: E402
from plexus_office.dates import previous_months  # noqa: E402

AS_OF = date(2026, 3, 10)
BATCH = 5000


class Rollback(Exception):
    pass


def bulk_world(accounts: int) -> None:
    """Wipe members and build: ~1 sponsor per 250 accounts (qualified), 10% due leads, the rest filler."""
    root = Account.objects.get(number=1)
    orphan = Account.objects.get(number=2)
    Account.objects.exclude(number__in=(1, 2)).update(sponsor=None)
    Account.objects.exclude(number__in=(1, 2)).delete()
    sponsors = max(accounts // 250, 1)
    leads = accounts // 10
    number = 100_000
    countries = ["US", "US", "US", "CA", "MX"]
    rows = []
    for i in range(sponsors):
        rows.append(
            Account(
                number=number + i,
                kind=AccountKind.AMBASSADOR,
                enrolled_on=date(2020, 1, 1),
                sponsor=root,
                title_rank=Rank.SENIOR_RUBY,
                country=countries[i % 5],
                name=f"Sponsor {i}",
                email=f"s{i}@bench.example",
                membership_fee_due_on=date(2027, 1, 1),
            )
        )
    created = Account.objects.bulk_create(rows, batch_size=BATCH)
    month_a, month_b = previous_months(AS_OF, 2)
    PaidRank.objects.bulk_create(
        [PaidRank(account=s, month=m, rank=Rank.SENIOR_GOLD) for s in created for m in (month_a, month_b)],
        batch_size=BATCH,
    )
    Subscription.objects.bulk_create([Subscription(account=s, pv=120) for s in created], batch_size=BATCH)
    number += sponsors
    recruits = []
    for i, s in enumerate(created):
        for k, kind in enumerate((AccountKind.VIP_CUSTOMER, AccountKind.AMBASSADOR)):
            recruits.append(
                Account(
                    number=number + 2 * i + k,
                    kind=kind,
                    enrolled_on=date(2026, 1, 15),
                    sponsor=s,
                    country=s.country,
                    name=f"Recruit {i}-{k}",
                )
            )
    recruits = Account.objects.bulk_create(recruits, batch_size=BATCH)
    Subscription.objects.bulk_create([Subscription(account=r, pv=40) for r in recruits], batch_size=BATCH)
    number += len(recruits)
    for start in range(0, leads, BATCH):
        part = Account.objects.bulk_create(
            [
                Account(
                    number=number + i,
                    kind=AccountKind.VIP_CUSTOMER if i % 3 else AccountKind.AMBASSADOR,
                    enrolled_on=AS_OF - timedelta(days=20 + i % 30),
                    listed_under_2_on=AS_OF - timedelta(days=20 + i % 30),
                    sponsor=orphan,
                    country=countries[i % 5],
                    name=f"Lead {i}",
                    email=f"l{i}@bench.example",
                )
                for i in range(start, min(start + BATCH, leads))
            ]
        )
        Sponsorship.objects.bulk_create(
            [
                Sponsorship(
                    account=a, sponsor=orphan, valid_from=a.enrolled_on, reason=SponsorChangeReason.ENROLLMENT
                )
                for a in part
            ]
        )
    number += leads
    filler = accounts - sponsors - len(recruits) - leads
    for start in range(0, max(filler, 0), BATCH):
        Account.objects.bulk_create(
            [
                Account(
                    number=number + i,
                    kind=AccountKind.VIP_CUSTOMER,
                    enrolled_on=date(2024, 1, 1),
                    sponsor=root,
                )
                for i in range(start, min(start + BATCH, filler))
            ]
        )


def naive_loop(sample: int) -> tuple[float, int, int]:
    """Per lead: ask for the qualified sponsors in wait order, move the lead, record, notify. Rolled back."""
    leads = [
        row for row in accounts_under_2(orphan_id=orphan_account_id()) if classify(row, as_of=AS_OF) is None
    ]
    leads = leads[:sample]
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        try:
            with transaction.atomic():
                for row in leads:
                    sponsor = (
                        qualified_lead_sponsors(as_of=AS_OF)
                        .filter(last_lead_batch_on__isnull=True)
                        .order_by("number")
                        .first()
                        or qualified_lead_sponsors(as_of=AS_OF)
                        .order_by("last_lead_batch_on", "number")
                        .first()
                    )
                    lead = Account.objects.get(pk=row.id)
                    sponsor_change(
                        account=lead, new_sponsor=sponsor, reason="lead_placement", actor=None, on=AS_OF
                    )
                    Account.objects.filter(pk=sponsor.pk).update(last_lead_batch_on=AS_OF)
                    verdict = lead_verdict_from_annotated(sponsor, as_of=AS_OF)
                    notifications.send(
                        lead,
                        notifications.EVENT_LEAD_NEW_SPONSOR,
                        {"sponsor": notifications.contact(sponsor), "as_of": AS_OF.isoformat()},
                    )
                    notifications.send(
                        sponsor,
                        notifications.EVENT_SPONSOR_NEW_LEADS,
                        {
                            "leads": [notifications.contact(lead)],
                            "count": 1,
                            "as_of": AS_OF.isoformat(),
                            "facts": verdict.facts,
                        },
                    )
                raise Rollback
        except Rollback:
            pass
    return time.perf_counter() - started, len(queries), len(leads)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--naive-sample", type=int, default=200)
    args = parser.parse_args()
    setup_started = time.perf_counter()
    if "seed_demo" in get_commands():
        call_command("seed_demo", accounts=args.accounts)
        source = "seed_demo"
    else:
        bulk_world(args.accounts)
        source = "bench bulk setup"
    setup = time.perf_counter() - setup_started
    due = sum(1 for row in accounts_under_2() if classify(row, as_of=AS_OF) is None)

    naive_seconds, naive_queries, naive_n = naive_loop(args.naive_sample)
    connection.force_debug_cursor = True
    with clock.frozen_at(AS_OF), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = leads_assign(as_of=AS_OF, actor=None, trigger="bench")
        real_seconds = time.perf_counter() - started
    placed = len(result.placements)
    per_lead = naive_seconds / naive_n if naive_n else 0.0
    print(
        f"machine: {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{connection.vendor}; data from {source} in {setup:.1f} s"
    )
    print(
        f"accounts {Account.objects.count():,}; due leads {due:,}; qualified sponsors "
        f"{len(result.plan.sponsors):,}"
    )
    print(f"{'method':<34}{'leads':>10}{'seconds':>12}{'queries':>12}")
    print(f"{'set-based leads_assign':<34}{placed:>10,}{real_seconds:>12.2f}{len(queries):>12,}")
    print(f"{'per-lead ORM loop (sample)':<34}{naive_n:>10,}{naive_seconds:>12.2f}{naive_queries:>12,}")
    print(
        f"{'per-lead ORM loop (extrapolated)':<34}{due:>10,}{per_lead * due:>12.2f}"
        f"{(naive_queries / naive_n * due if naive_n else 0):>12,.0f}"
    )
    assert LeadPlacement.objects.values("lead").distinct().count() == LeadPlacement.objects.count()


if __name__ == "__main__":
    main()
