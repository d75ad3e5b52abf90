"""One day of the subscription charge job at scale: ~700k active subscriptions, ~23k due that day.

Usage (PostgreSQL; a database of its own, migrated; built once, then reused):
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/plexus_s14_bench
    python manage.py migrate
    python bench/bench_subscriptions.py --build --subscriptions 700000 --due 23000
    python bench/bench_subscriptions.py            # charges the day on a template copy, prints figures

The built data is what the job touches: accounts with a saved card known to the sandbox gateway and
an active subscription of two products; ``--due`` of them charge on the bench day, the rest on the
other 27 charge days. The run works on a template copy (bench/benchdb.py), so reruns start equal.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
sys.path.insert(0, str(BASE / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plexus_office.settings")

DAY = date(2026, 3, 10)


def build(subscriptions: int, due: int) -> None:
    from decimal import Decimal

    from accounts.models import Account, Product, SavedCard, Subscription
    from accounts.models_billing import SubscriptionItem
    from operations.seed.writer import Table, next_id
    from plexus_office.platform.models import SandboxCard

    slim, _ = Product.objects.get_or_create(
        sku="SLIM", defaults={"name": "Slim", "price": Decimal("89.95"), "pv": 60}
    )
    lean, _ = Product.objects.get_or_create(
        sku="LEAN", defaults={"name": "Lean", "price": Decimal("69.95"), "pv": 45}
    )
    root = Account.objects.get(number=1)
    accounts = Table(
        Account, ["id", "number", "kind", "sponsor_id", "enrolled_on", "name", "email", "country"]
    )
    gateway = Table(SandboxCard, ["id", "token", "brand", "last4", "exp_month", "exp_year"])
    cards = Table(
        SavedCard,
        ["id", "account_id", "token", "brand", "last4", "exp_month", "exp_year", "is_default"],
        depends_on=[accounts],
    )
    subs = Table(
        Subscription,
        ["id", "account_id", "status", "pv", "card_id", "started_on", "charge_day", "next_charge_on"],
        depends_on=[cards],
    )
    items = Table(SubscriptionItem, ["id", "subscription_id", "product_id", "qty"], depends_on=[subs])
    aid, gid, cid, sid, iid = (
        next_id(m) for m in (Account, SandboxCard, SavedCard, Subscription, SubscriptionItem)
    )
    number = (
        max(Account.objects.order_by("-number").values_list("number", flat=True).first() or 0, 10_000_000) + 1
    )
    others = [d for d in range(1, 29) if d != DAY.day]
    for n in range(subscriptions):
        day = DAY.day if n < due else others[n % len(others)]
        next_on = DAY if n < due else (DAY.replace(day=day) if day > DAY.day else date(2026, 4, day))
        token = f"tok_bench_{cid:09d}"
        accounts.add(
            (
                aid,
                number,
                "vip_customer",
                root.pk,
                date(2025, 1, 1),
                f"Bench {number}",
                f"b{number}@bench.example",
                "US",
            )
        )
        gateway.add((gid, token, "Visa", "4242", 12, 2030))
        cards.add((cid, aid, token, "Visa", "4242", 12, 2030, True))
        subs.add((sid, aid, "active", 105, cid, date(2025, 1, day), day, next_on))
        items.add((iid, sid, slim.pk, 1))
        items.add((iid + 1, sid, lean.pk, 1))
        aid, gid, cid, sid, iid, number = aid + 1, gid + 1, cid + 1, sid + 1, iid + 2, number + 1
    for table in (accounts, gateway, cards, subs, items):
        print(f"{table.model.__name__}: {table.finish():,} rows")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def run(only: int | None = None) -> None:
    from django.db import connection, reset_queries

    from accounts.models import Order, Subscription
    from accounts.models_billing import SubscriptionCharge
    from accounts.subscriptions.charging import subscription_charges_run
    from plexus_office import clock
    from plexus_office.platform.models import SandboxCharge

    if only is not None:
        # A smaller day on the copy (an overloaded machine): all but ``only`` move to the next day.
        keep = Subscription.objects.filter(status="active", next_charge_on=DAY).order_by("pk")[:only]
        Subscription.objects.filter(status="active", next_charge_on=DAY).exclude(
            pk__in=list(keep.values_list("pk", flat=True))
        ).update(next_charge_on=date(2026, 3, 11))
    active = Subscription.objects.filter(status="active").count()
    due = Subscription.objects.filter(status="active", next_charge_on=DAY).count()
    kinds: Counter[str] = Counter()
    sql_time = [0.0]

    def count(execute, sql, params, many, context):
        kinds[sql.split(None, 1)[0].upper()] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_time[0] += time.perf_counter() - started

    reset_queries()
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count), clock.frozen_at(DAY):
        counts = subscription_charges_run()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"Machine: {platform.node()}, {os.cpu_count()} cores, load {os.getloadavg()}, PostgreSQL {version}")
    print(f"Active subscriptions {active:,}, due on {DAY}: {due:,}")
    print(
        f"Run: {elapsed:.1f} s wall, {cpu:.1f} s CPU of this process (SQL {sql_time[0]:.1f} s), "
        f"{sum(kinds.values()):,} queries {dict(kinds)}"
    )
    print(f"Result: {counts}")
    paid = SubscriptionCharge.objects.filter(status="paid").count()
    charged = SandboxCharge.objects.filter(idempotency_key__startswith="subscription-").count()
    orders = Order.objects.filter(subscription_order=True, ordered_on=DAY).count()
    print(f"Check: {paid:,} paid, {charged:,} gateway charges, {orders:,} orders")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="create the subscriptions (once)")
    parser.add_argument("--subscriptions", type=int, default=700_000)
    parser.add_argument("--due", type=int, default=23_000)
    parser.add_argument("--keep", action="store_true", help="keep the template copy")
    parser.add_argument("--only", type=int, help="charge only this many of the day's subscriptions")
    args = parser.parse_args()
    if not args.build:
        from benchdb import use_template_copy

        use_template_copy("subs", keep=args.keep)
    import django

    django.setup()
    if args.build:
        build(args.subscriptions, args.due)
    else:
        run(args.only)


if __name__ == "__main__":
    main()
