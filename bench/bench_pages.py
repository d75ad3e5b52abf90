"""Admin queue changelists and member pages with 1,000,000 refund and 1,000,000 clear requests.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plexus_bench .venv/bin/python bench/bench_pages.py \
        [--requests 1000000] [--repeat 3] [--keep]

Works on a template copy of the seeded database (``bench/benchdb.py``, dropped afterwards). Bulk
inserts with ``INSERT ... SELECT`` (PostgreSQL only):
  * refunds: one per order line (the first ``--requests`` lines of the seed's orders). The first refund
    of an (account, product) pair gets a spread of states (1% each requested/authorized/received, the
    rest refunded or rejected); later ones are rejected, so "one refund per product per account"
    (which ignores rejected/expired) holds.
  * clear requests: one per member (members in number order, their sponsor as the requester): 1%
    submitted (the one-open-request-per-member constraint holds trivially), 30% cleared, the rest
    rejected.
Then times, with Django's test Client, the refund and clear-request admin changelists (as a
superuser: default, a status filter, the "overdue" filter, a search) and the member dashboard and
Personal Information (as the big leader, account #100000): best and median ms over ``--repeat``
runs, queries per request, and the slowest statement. Never a timed test.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plexus_office.settings")
# The admin pages are timed, not the second factor (a superuser without a TOTP device would be sent
# to enrolment): development settings, as bench_load uses.
os.environ.setdefault("STAFF_MFA_REQUIRED", "false")

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--requests", type=int, default=1_000_000, help="refunds and clear requests to insert")
parser.add_argument("--repeat", type=int, default=3)
parser.add_argument("--leader", type=int, default=100_000, help="account number of the member to log in as")
parser.add_argument("--keep", action="store_true", help="keep the template copy")
parser.add_argument(
    "--existing",
    action="store_true",
    help="time on DATABASE_URL as it is (a copy kept by an earlier --keep run): no copy, no inserts",
)
ARGS = parser.parse_args()

from benchdb import use_template_copy  # noqa: E402

COPY = None if ARGS.existing else use_template_copy("pages", keep=ARGS.keep)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Account, Order, OrderLine  # noqa: E402
from clearing.models import ClearRequest  # noqa: E402
from refunds.models import Refund, RefundLine  # noqa: E402


def insert_refunds(n: int) -> int:
    refund, line, order = Refund._meta.db_table, OrderLine._meta.db_table, Order._meta.db_table
    sql = f"""
        INSERT INTO {refund} (
            reason, status, requested_on, created_at, submitted_at, account_id, order_id,
            amount, gross, deduction, pv, channel, decision_note, gateway_error, gateway_refund_id,
            label_reference, tracking_number, payment_attempts, postage_paid_by_customer,
            refused_shipment, return_method, due_on, decided_at, staff_note, version)
        SELECT 'money_back', st.status, d.day, d.day::timestamptz, d.day::timestamptz, s.account_id,
            s.order_id, 10.00, 10.00, 0.00, 10, 'member', '', '', '', '', s.id::text, 0, false,
            false, 'prepaid_label',
            CASE WHEN st.status IN ('requested', 'authorized', 'received') THEN d.day + 2 END,
            CASE WHEN st.status IN ('refunded', 'rejected') THEN d.day::timestamptz + interval '1 day' END,
            '', 1
        FROM (
            SELECT l.id, o.id AS order_id, o.account_id, l.product_id,
                   row_number() OVER (PARTITION BY o.account_id, l.product_id ORDER BY l.id) AS nth
            FROM (SELECT * FROM {line} ORDER BY id LIMIT %s) l JOIN {order} o ON o.id = l.order_id
        ) s
        CROSS JOIN LATERAL (SELECT CURRENT_DATE - (s.id %% 700)::int AS day) d
        CROSS JOIN LATERAL (SELECT CASE
            WHEN s.nth > 1 THEN 'rejected'
            WHEN s.id %% 100 = 0 THEN 'requested'
            WHEN s.id %% 100 = 1 THEN 'authorized'
            WHEN s.id %% 100 = 2 THEN 'received'
            WHEN s.id %% 100 < 60 THEN 'refunded'
            ELSE 'rejected' END AS status) st
    """  # noqa: S608 - table names from model metadata
    # One product per return: its line, found through the order line id parked in tracking_number.
    lines_sql = f"""
        INSERT INTO {RefundLine._meta.db_table} (refund_id, account_id, product_id, position, qty, gross, pv,
            counts, received)
        SELECT r.id, r.account_id, l.product_id, 0, 1, 10.00, 10, r.status NOT IN ('rejected', 'expired'),
            CASE WHEN r.status IN ('received', 'refunded') THEN true END
        FROM {refund} r JOIN {line} l ON l.id = r.tracking_number::bigint
        WHERE r.tracking_number <> ''
    """  # noqa: S608 - table names from model metadata
    with connection.cursor() as cursor:
        cursor.execute(sql, [n])
        made = cursor.rowcount
        cursor.execute(lines_sql)
        cursor.execute(f"UPDATE {refund} SET tracking_number = '' WHERE tracking_number <> ''")  # noqa: S608
        return made


def insert_clear_requests(n: int) -> int:
    clear, account = ClearRequest._meta.db_table, Account._meta.db_table
    sql = f"""
        INSERT INTO {clear} (
            submitted_at, due_on, decision_note, kind, reason, as_of, facts, status, member_id,
            requester_id, decided_at, staff_note, version)
        SELECT d.day::timestamptz, d.day + 1, '', CASE WHEN a.kind = 'ambassador' THEN 'ambassador'
            ELSE 'customer' END, '', d.day, '{{}}'::jsonb, st.status, a.id, a.sponsor_id,
            CASE WHEN st.status <> 'submitted' THEN d.day::timestamptz + interval '1 day' END, '', 1
        FROM (SELECT * FROM {account} WHERE sponsor_id IS NOT NULL ORDER BY number LIMIT %s) a
        CROSS JOIN LATERAL (SELECT CURRENT_DATE - (a.id %% 400)::int AS day) d
        CROSS JOIN LATERAL (SELECT CASE WHEN a.id %% 100 = 0 THEN 'submitted'
            WHEN a.id %% 100 < 31 THEN 'cleared' ELSE 'rejected' END AS status) st
    """  # noqa: S608 - table names from model metadata
    with connection.cursor() as cursor:
        cursor.execute(sql, [n])
        return cursor.rowcount


def timed(client: Client, url: str, repeat: int) -> tuple[float, float, int, int, str]:
    times: list[float] = []
    queries = 0
    status = 0
    slowest = ""
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
        queries = len(captured)
        worst = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
        if worst is not None:
            slowest = f"{float(worst['time']) * 1000:.0f} ms: {' '.join(worst['sql'].split())[:110]}"
    return min(times), statistics.median(times), queries, status, slowest


def _install_floor_view() -> None:
    """``/bench-floor/``: the authenticated framework floor, the whole middleware stack, the session
    and the user (two queries) and a one-line response; no template, no domain query."""
    import types

    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import clear_url_caches, include, path

    def floor(request):  # type: ignore[no-untyped-def]
        return HttpResponse(f"ok {request.user.username}")

    module = types.ModuleType("bench_floor_urls")
    module.urlpatterns = [path("bench-floor/", floor), path("", include(settings.ROOT_URLCONF))]  # type: ignore[attr-defined]
    sys.modules["bench_floor_urls"] = module
    settings.ROOT_URLCONF = "bench_floor_urls"
    clear_url_caches()


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench_pages needs PostgreSQL (INSERT ... SELECT with window functions and LATERAL)")
    refunds = clears = 0
    refunds_s = clears_s = 0.0
    if not ARGS.existing:
        started = time.perf_counter()
        refunds = insert_refunds(ARGS.requests)
        refunds_s = time.perf_counter() - started
        started = time.perf_counter()
        clears = insert_clear_requests(ARGS.requests)
        clears_s = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Refund._meta.db_table}")  # noqa: S608
            cursor.execute(f"VACUUM ANALYZE {RefundLine._meta.db_table}")  # noqa: S608
            cursor.execute(f"VACUUM ANALYZE {ClearRequest._meta.db_table}")  # noqa: S608
    open_refunds = Refund.objects.filter(status__in=Refund.OPEN_STATES).count()
    open_clears = ClearRequest.objects.filter(status="submitted").count()

    user_model = get_user_model()
    admin_user = user_model.objects.filter(
        username="bench-admin"
    ).first() or user_model.objects.create_superuser("bench-admin", "bench-admin@example.com", None)
    leader = Account.objects.select_related("user").get(number=ARGS.leader)
    if leader.user is None:
        sys.exit(f"account #{ARGS.leader} has no login")
    leader_user = leader.user
    staff, member, qualified, lead = Client(), Client(), Client(), Client()
    staff.force_login(admin_user)
    member.force_login(leader_user)
    # seed_demo's other demo logins: a leader meeting the five Leads rules and a due lead under "2".
    qualified.force_login(user_model.objects.get(username="qualified"))
    lead.force_login(user_model.objects.get(username="lead"))
    _install_floor_view()
    pages = [
        ("admin refunds (default)", staff, "/admin/refunds/refund/"),
        ("admin refunds status=requested", staff, "/admin/refunds/refund/?status__exact=requested"),
        ("admin refunds status=rejected", staff, "/admin/refunds/refund/?status__exact=rejected"),
        ("admin refunds overdue", staff, "/admin/refunds/refund/?due=overdue"),
        ("admin refunds page 100", staff, "/admin/refunds/refund/?p=100"),
        ("admin refunds search account", staff, f"/admin/refunds/refund/?q={ARGS.leader}"),
        ("admin clear requests (default)", staff, "/admin/clearing/clearrequest/"),
        ("admin clear status=submitted", staff, "/admin/clearing/clearrequest/?status__exact=submitted"),
        ("admin clear status=rejected", staff, "/admin/clearing/clearrequest/?status__exact=rejected"),
        ("admin clear overdue", staff, "/admin/clearing/clearrequest/?due=overdue"),
        ("floor: authenticated one-line view", member, "/bench-floor/"),
        ("member dashboard / (big leader)", member, "/"),
        ("member dashboard / (qualified sponsor)", qualified, "/"),
        ("member dashboard / (lead under 2)", lead, "/"),
        ("member personal information", member, "/account/personal/"),
        ("member saved cards", member, "/account/cards/"),
    ]
    rows = [(label, *timed(client, url, ARGS.repeat)) for label, client, url in pages]
    print(
        f"# bench_pages on {connection.vendor} ({connection.settings_dict['NAME']}); {platform.node()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"inserted {refunds:,} refunds in {refunds_s:.1f} s ({open_refunds:,} open), {clears:,} clear "
        f"requests in {clears_s:.1f} s ({open_clears:,} open); orders {Order.objects.count():,}; "
        f"logged in as superuser / account #{leader.number} ({leader_user.username})"
    )
    print(f"load average {os.getloadavg()[0]:.1f} (2 shared cores); Test Client, DEBUG off, in-process")
    print(f"{'page':<40}{'best ms':>9}{'median ms':>11}{'queries':>9}{'status':>8}  slowest statement")
    for label, best, median, queries, status, slowest in rows:
        print(f"{label:<40}{best:>9.1f}{median:>11.1f}{queries:>9}{status:>8}  {slowest}")
    if any(row[4] != 200 for row in rows):
        sys.exit("a page did not answer 200")


if __name__ == "__main__":
    main()
