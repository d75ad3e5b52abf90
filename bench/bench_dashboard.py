# ruff: noqa: E501  (long SQL lines read better whole)
"""Staff workspace at a million members: the per-group admin dashboards, the metrics job behind their
charts, the member lookup by each kind of term, and the member page with its service log.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plexus_s15_bench .venv/bin/python \
        bench/bench_dashboard.py --build [--repeat 3]

``--build`` (once, on an empty migrated PostgreSQL database) writes a synthetic company with
``INSERT ... SELECT generate_series`` in about a minute, instead of ``seed_demo`` (which took too
long on the shared VM the day this was measured): 1,000,000 accounts (10,000 leaders under the
corporate root, 890,000 members under them, 100,000 listed under "2" over the last 120 days), one
order each, 1,000,000 refunds (2% requested, 1% authorized, 1% received, 56% refunded over the last
18 months, the rest rejected or expired) and 790,000 clear requests (one per member under a
leader, 1% submitted). Names are
drawn from 40 first names x 40 last names, so a name search matches ~600-25,000 rows, like a real
one. Then, timed with Django's test Client (best and median of ``--repeat``): the metrics job, the
admin index for each staff group, the lookup, and a leader's member page. Never a timed test.
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

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--build", action="store_true", help="write the synthetic company first")
parser.add_argument("--repeat", type=int, default=3)
ARGS = parser.parse_args()

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from operations.staff.metrics import dashboard_metrics_refresh  # noqa: E402
from plexus_office import clock  # noqa: E402
from plexus_office.platform.roles import STAFF_GROUPS  # noqa: E402

FIRST = [
    "Olive",
    "Uma",
    "Otto",
    "Lena",
    "Quinn",
    "Vera",
    "Sue",
    "Lee",
    "Nia",
    "Ann",
    "Maria",
    "James",
    "Linda",
    "Robert",
    "Patricia",
    "Michael",
    "Jennifer",
    "David",
    "Susan",
    "William",
    "Karen",
    "Joseph",
    "Nancy",
    "Thomas",
    "Lisa",
    "Daniel",
    "Betty",
    "Mark",
    "Sandra",
    "Paul",
    "Ashley",
    "Steven",
    "Kimberly",
    "Andrew",
    "Emily",
    "Joshua",
    "Donna",
    "Kevin",
    "Michelle",
    "Brian",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
]


def build() -> None:
    today = clock.today()
    first = "ARRAY[" + ",".join(f"'{n}'" for n in FIRST) + "]"
    last = "ARRAY[" + ",".join(f"'{n}'" for n in LAST) + "]"
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM accounts_account WHERE number = 1")
        root = cur.fetchone()[0]
        cur.execute("SELECT id FROM accounts_account WHERE number = 2")
        orphan = cur.fetchone()[0]
        started = time.monotonic()
        blank = ", ".join(["''"] * 13)
        cur.execute("SELECT count(*) FROM accounts_account")
        if cur.fetchone()[0] < 1_000_000:
            _accounts(cur, today, first, last, blank, root, orphan)
        _rest(cur, today)
        # What autovacuum does after a bulk load: statistics and the visibility map (index-only scans).
        cur.execute("VACUUM ANALYZE")
        print(f"built the synthetic company in {time.monotonic() - started:.1f} s")


def _accounts(cur, today, first, last, blank, root, orphan) -> None:
    cur.execute(
        f"""
        INSERT INTO accounts_account (number, kind, status, is_corporate, personally_enrolled, enrolled_on,
            listed_under_2_on, name, email, phone, country, mailing_street, mailing_unit, mailing_city,
            mailing_region, mailing_postal_code, mailing_country, shipping_recipient, shipping_street,
            shipping_unit, shipping_city, shipping_region, shipping_postal_code, shipping_country,
            newsletter_opt_in, created_at, cancel_reason, title_rank, sponsor_id)
        SELECT 100000 + i,
               CASE WHEN i %% 3 = 0 THEN 'vip_customer' ELSE 'ambassador' END, 'active', false,
               i < 900000, %s::date - (i %% 2000)::int,
               CASE WHEN i >= 900000 THEN %s::date - (i %% 120)::int END,
               ({first})[i %% 40 + 1] || ' ' || ({last})[(i / 40) %% 40 + 1],
               'm' || i || '@example.com', '+1602' || lpad((i %% 10000000)::text, 7, '0'), 'US',
               {blank}, false, now(), '', CASE WHEN i < 10000 THEN 6 ELSE 1 END,
               CASE WHEN i < 10000 THEN %s WHEN i >= 900000 THEN %s END
        FROM generate_series(0, 999999) AS i
        """,
        [today, today, root, orphan],
    )
    # Members 10,000..899,999 under the leaders (their sponsor: leader i %% 10,000).
    cur.execute(
        """
        UPDATE accounts_account a SET sponsor_id = l.id
        FROM accounts_account l
        WHERE a.number BETWEEN 110000 AND 999999 AND a.listed_under_2_on IS NULL AND l.number = 100000 + (a.number - 100000) %% 10000
        """,
        [],
    )


def _rest(cur, today) -> None:
    cur.execute(
        "INSERT INTO accounts_product (sku, name, price, pv) VALUES ('BENCH', 'Bench product', 89.95, 60) "
        "ON CONFLICT DO NOTHING"
    )
    cur.execute("SELECT id FROM accounts_product WHERE sku = 'BENCH'")
    product = cur.fetchone()[0]
    cur.execute(
        """
        INSERT INTO accounts_order (ref, ordered_on, country, fulfillment, picked_up, shipping,
            subscription_order, charge_id, ship_to_name, ship_to_address, perk_credits_earned, created_at,
            account_id)
        SELECT 'B-' || number, %s::date - (number %% 540)::int, 'US', 'ship', false, 7.95, false, '', '', '', 0,
               now(), id
        FROM accounts_account WHERE number >= 100000
        ON CONFLICT DO NOTHING
        """,
        [today],
    )
    cur.execute(
        """
        INSERT INTO refunds_refund (reason, status, requested_on, created_at, account_id, order_id,
            amount, channel, decision_note, deduction, gateway_error, gateway_refund_id, gross,
            label_reference, payment_attempts, postage_paid_by_customer, pv, refused_shipment, return_method,
            submitted_at, due_on, authorized_on, received_on, refunded_on, return_deadline, decided_at,
            tracking_number)
        SELECT 'money_back', s.status, o.ordered_on + 3, now(), o.account_id, o.id, 83.95, 'member', '',
               6.00, '', '', 89.95, '', 0, false, 60, false, 'prepaid_label', now(),
               CASE s.status WHEN 'requested' THEN o.ordered_on + 5 WHEN 'authorized' THEN o.ordered_on + 33
                             WHEN 'received' THEN o.ordered_on + 20 END,
               CASE WHEN s.status IN ('authorized', 'received', 'refunded') THEN o.ordered_on + 4 + (o.id %% 3)::int END,
               CASE WHEN s.status IN ('received', 'refunded') THEN o.ordered_on + 12 END,
               CASE WHEN s.status = 'refunded' THEN o.ordered_on + 15 + (o.id %% 5)::int END,
               o.ordered_on + 33,
               CASE WHEN s.status = 'rejected' THEN (o.ordered_on + 4)::timestamptz END, ''
        FROM accounts_order o
        CROSS JOIN LATERAL (SELECT CASE
            WHEN o.id %% 100 < 2 THEN 'requested' WHEN o.id %% 100 < 3 THEN 'authorized'
            WHEN o.id %% 100 < 4 THEN 'received' WHEN o.id %% 100 < 60 THEN 'refunded'
            WHEN o.id %% 100 < 95 THEN 'rejected' ELSE 'expired' END AS status) s
        WHERE o.ref LIKE 'B-%%'
        """,
    )
    cur.execute(
        """
        INSERT INTO refunds_refundline (refund_id, account_id, product_id, position, qty, gross, pv, counts,
            received)
        SELECT r.id, r.account_id, %s, 0, 1, 89.95, 60, r.status NOT IN ('rejected', 'expired'),
               CASE WHEN r.status IN ('received', 'refunded') THEN true END
        FROM refunds_refund r JOIN accounts_order o ON o.id = r.order_id
        WHERE o.ref LIKE 'B-%%'
        """,
        [product],
    )
    cur.execute(
        """
        INSERT INTO clearing_clearrequest (submitted_at, due_on, decision_note, kind, reason, as_of, facts,
            status, member_id, requester_id, decided_at)
        SELECT now() - ((a.number %% 540) || ' days')::interval,
               %s::date - (a.number %% 540)::int + 1, '', 'customer', '', %s::date - (a.number %% 540)::int, '{}',
               CASE WHEN a.number %% 100 = 0 THEN 'submitted' WHEN a.number %% 100 < 30 THEN 'cleared'
                    ELSE 'rejected' END,
               a.id, a.sponsor_id,
               CASE WHEN a.number %% 100 <> 0
                    THEN now() - ((a.number %% 540) || ' days')::interval + ((a.number %% 3) || ' days')::interval
               END
        FROM accounts_account a WHERE a.number BETWEEN 110000 AND 899999
        """,
        [today, today],
    )


def staff_user(group: str) -> User:
    user, _ = User.objects.get_or_create(
        username=f"bench_{group.lower().replace(' ', '_')}", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def timed(label: str, fn, repeat: int) -> None:
    runs = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            result = fn()
            runs.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
        if hasattr(result, "status_code"):
            assert result.status_code == 200, (label, result.status_code)
    print(f"| {label} | {min(runs):,.0f} | {statistics.median(runs):,.0f} | {queries} |")


def main() -> None:
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load {os.getloadavg()[0]:.1f}; {connection.vendor}"
    )
    if ARGS.build:
        build()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM accounts_account")
        print(f"accounts: {cur.fetchone()[0]:,}")
    started = time.perf_counter()
    rows = dashboard_metrics_refresh()
    print(f"dashboard_metrics_refresh: {time.perf_counter() - started:,.1f} s, {rows} metric rows")
    print("| page | best ms | median ms | queries |\n|---|---|---|---|")
    for group in STAFF_GROUPS:
        client = Client()
        client.force_login(staff_user(group))
        timed(f"admin index, {group}", lambda c=client: c.get("/admin/"), ARGS.repeat)
    client = Client()
    client.force_login(staff_user(STAFF_GROUPS[0]))
    for label, term in [
        ("number", "512345"),
        ("email", "m512345@example.com"),
        ("phone", "(602) 051-2345"),
        ("name, rare (~600)", "Olive Smith"),
        ("name, common (~25,000)", "Smith"),
    ]:
        timed(
            f"lookup by {label}",
            lambda t=term: client.get("/admin/staff/members/", {"q": t}, follow=True),
            ARGS.repeat,
        )
    timed(
        "member page of a leader (89 direct)", lambda: client.get("/admin/staff/members/100005/"), ARGS.repeat
    )
    timed(
        "member page, service log emails p2",
        lambda: client.get("/admin/staff/members/100005/?kind=email&page=2"),
        ARGS.repeat,
    )


main()
