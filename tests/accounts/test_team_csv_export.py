"""The downline report's CSV today: each member's facts read from the team rollup, orders and fees
recorded since the refresh added from their few rows, members without a rollup row looked up live;
the activity decided without its reason text, as ``decide_activity`` decides it."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import Account, Order, PaidRank, Rank, SponsorChangeReason, Sponsorship, TeamRollup
from accounts.selectors import decide_activity
from accounts.services import sponsor_change
from accounts.team import export
from accounts.team.export import ActivityRule
from accounts.team.rollup import team_rollup_refresh
from accounts.team.selectors import ReportFilters
from accounts.team.today import TodayReport
from plexus_office import clock
from tests.factories import (
    TODAY,
    AmbassadorFactory,
    MembershipFeePaymentFactory,
    OrderFactory,
    OrderLineFactory,
    PaidRankFactory,
    ProductFactory,
    SubscriptionFactory,
    UserFactory,
    VipCustomerFactory,
)

pytestmark = pytest.mark.django_db

THIS_MONTH = date(2026, 3, 1)
LAST_MONTH = date(2026, 2, 1)
HEADER = (
    "Level,Number,Name,Kind,Status,Sponsor,Rank,Paid rank last month,PV this month,PV last month,"
    "Group volume,Subscription,Last order,Activity,Enrolled on,Joined"
)
# Ann's organization as the refresh finds it (TODAY is 2026-03-10): Ben's fee is 6+ months overdue
# but he ordered last month (neither); Eve never ordered (inactive).
BEN = (
    "1,2001,Ben Builder,ambassador,active,1001,Brand Ambassador,Silver,0,180,180,none,2026-02-01,neither,"
    "2024-01-01,personal"
)
CORA = "2,3001,Cora Customer,vip_customer,active,2001,,,60,0,60,active,2026-03-01,active,2024-06-01,personal"
DAN = "2,3002,Dan Donor,vip_customer,active,2001,,,120,60,120,none,2026-03-01,active,2024-06-01,personal"
EVE = "1,4001,Eve Else,vip_customer,active,1001,,,0,0,0,none,,inactive,2024-07-01,personal"


@pytest.fixture(params=["per-row lookups", "whole tables"])
def plan(request, monkeypatch):
    """Both ways the export reads a big organization on PostgreSQL give the same lines."""
    if request.param == "whole tables":
        monkeypatch.setattr(export, "WHOLE_TABLES_FROM", 0)
    return request.param


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(TODAY):
        yield


def _order(account, ref: str, qty: int, day: date) -> None:
    slim = ProductFactory(sku=f"SLIM-{ref}", price=Decimal("89.95"), pv=60)
    order = OrderFactory(ref=f"O-{ref}", account=account, ordered_on=day)
    OrderLineFactory(order=order, product=slim, qty=qty, unit_price=Decimal("89.95"), pv=60)


@pytest.fixture
def ann():
    """Ann > Ben > (Cora, Dan); Ann > Eve."""
    ann = AmbassadorFactory(number=1001, name="Ann Leader", user=UserFactory(username="ann"),
                            enrolled_on=date(2020, 1, 1))  # fmt: skip
    ben = AmbassadorFactory(number=2001, name="Ben Builder", sponsor=ann, enrolled_on=date(2024, 1, 1),
                            membership_fee_due_on=date(2025, 1, 1))  # fmt: skip
    cora = VipCustomerFactory(number=3001, name="Cora Customer", sponsor=ben, enrolled_on=date(2024, 6, 1))
    dan = VipCustomerFactory(number=3002, name="Dan Donor", sponsor=ben, enrolled_on=date(2024, 6, 1))
    VipCustomerFactory(number=4001, name="Eve Else", sponsor=ann, enrolled_on=date(2024, 7, 1))
    PaidRankFactory(account=ben, month=LAST_MONTH, rank=Rank.SILVER)
    SubscriptionFactory(account=cora)
    _order(cora, "A", 1, THIS_MONTH)
    _order(dan, "B", 2, THIS_MONTH)
    _order(dan, "C", 1, LAST_MONTH)
    _order(ben, "D", 3, LAST_MONTH)
    _order(ben, "E", 1, date(2023, 5, 5))
    ann.refresh_from_db()
    return ann


def _csv(client, ann) -> list[str]:
    client.force_login(ann.user)
    response = client.get("/team/report/", {"format": "csv"})
    return b"".join(response.streaming_content).decode().splitlines()


def test_the_csv_reads_every_fact_from_a_fresh_rollup(client, ann):
    team_rollup_refresh()

    assert _csv(client, ann) == [HEADER, BEN, CORA, DAN, EVE]


def test_the_rollup_keeps_each_members_own_facts_and_its_high_water_marks(ann):
    team_rollup_refresh()

    ben = TeamRollup.objects.get(account__number=2001)
    assert (ben.personal_pv, ben.pv_last_month, ben.last_order_on, ben.last_fee_paid_on, ben.group_pv) == (
        0,
        180,
        LAST_MONTH,
        None,
        180,
    )
    assert (ben.sponsor_id_then, ben.sponsor_number, ben.sponsor_reason, ben.personal) == (
        ann.pk,
        1001,
        "enrollment",
        True,
    )
    assert ben.paid_rank_last_month == Rank.SILVER
    marks = (Order.objects.latest("id").id, 0, PaidRank.objects.get().id, Sponsorship.objects.latest("id").id)
    assert {
        (r.orders_through, r.fees_through, r.paid_ranks_through, r.sponsorships_through)
        for r in TeamRollup.objects.all()
    } == {marks}


def test_orders_and_fees_recorded_after_the_refresh_are_in_the_csv(client, ann, plan):
    team_rollup_refresh()
    ben, dan, eve = (Account.objects.get(number=n) for n in (2001, 3002, 4001))
    MembershipFeePaymentFactory(account=ben, paid_on=TODAY)
    _order(dan, "F", 2, date(2026, 2, 15))  # recorded late, dated last month
    _order(eve, "G", 1, TODAY)

    # Ben paid his fee (active); Dan's last month grows by 120; Eve ordered today (active). Group
    # volume is the rollup's, as of its time (the page says when): Eve's stays 0 until the next refresh.
    assert _csv(client, ann) == [
        HEADER,
        BEN.replace(",neither,", ",active,"),
        CORA,
        DAN.replace(",120,60,120,", ",120,180,120,"),
        EVE.replace(",0,0,0,none,,inactive,", ",60,0,0,none,2026-03-10,active,"),
    ]


def test_a_move_and_a_paid_rank_recorded_after_the_refresh_are_in_the_csv(client, ann, plan):
    team_rollup_refresh()
    ben, eve = (Account.objects.get(number=n) for n in (2001, 4001))
    sponsor_change(account=eve, new_sponsor=ben, reason=SponsorChangeReason.CORRECTION, actor=None)
    PaidRankFactory(account=Account.objects.get(number=3001), month=LAST_MONTH, rank=Rank.GOLD)

    moved_eve = "2,4001,Eve Else,vip_customer,active,2001,,,0,0,0,none,,inactive,2024-07-01,correction"
    assert _csv(client, ann) == [HEADER, BEN, CORA.replace(",,,60,", ",,Gold,60,"), DAN, moved_eve]


def test_a_member_who_joined_the_organization_since_the_refresh_gets_live_facts(client, ann, plan):
    zed = VipCustomerFactory(number=6001, name="Zed Outside", enrolled_on=date(2024, 8, 1))
    _order(zed, "Z", 1, LAST_MONTH)
    team_rollup_refresh()
    sponsor_change(account=zed, new_sponsor=ann, reason=SponsorChangeReason.CORRECTION, actor=None)

    zed_line = (
        "1,6001,Zed Outside,vip_customer,active,1001,,,0,60,0,none,2026-02-01,active,2024-08-01,correction"
    )
    assert _csv(client, ann) == [HEADER, BEN, CORA, DAN, EVE, zed_line]


def test_the_rollup_is_written_in_tree_order(ann):
    team_rollup_refresh()

    ann_row = TeamRollup.objects.get(account=ann)
    below = TeamRollup.objects.filter(
        tree_order__gt=ann_row.tree_order, tree_order__lte=ann_row.tree_order + 4
    )
    assert [r.account.number for r in below.order_by("tree_order")] == [2001, 3001, 3002, 4001]


def test_a_member_enrolled_after_the_refresh_gets_live_facts(client, ann, plan):
    team_rollup_refresh()
    finn = VipCustomerFactory(number=5001, name="Finn New", sponsor=Account.objects.get(number=3001),
                              enrolled_on=TODAY)  # fmt: skip
    _order(finn, "H", 1, TODAY)

    finn_line = (
        "3,5001,Finn New,vip_customer,active,3001,,,60,0,60,none,2026-03-10,active,2026-03-10,personal"
    )
    assert _csv(client, ann) == [HEADER, BEN, CORA, finn_line, DAN, EVE]


def test_without_a_rollup_every_fact_is_live_and_the_same(ann):
    report = TodayReport(root=ann, day=TODAY, filters=ReportFilters())

    lines = [",".join(str(v) for v in line) for line in report.csv_lines()]
    assert (report.rollup(), lines) == (None, [BEN, CORA, DAN, EVE])


def test_the_csv_without_a_rollup_comes_from_the_history_walk_with_the_same_lines(client, ann):
    assert _csv(client, ann) == [HEADER, BEN, CORA, DAN, EVE]


def test_the_activity_rule_decides_as_decide_activity_from_iso_text():
    # Every ninth day over 15 months, and the month ends where adding months clamps the day.
    days = [date(2024, 12, 25) + timedelta(days=9 * i) for i in range(52)]
    days += [date(2025, 8, 31), date(2025, 8, 30), date(2025, 9, 1), date(2025, 2, 28), date(2025, 3, 31)]
    as_of_days = [
        date(2026, 2, 28),
        date(2026, 3, 10),
        date(2026, 8, 31),
        date(2026, 2, 27),
        date(2026, 3, 1),
    ]
    for as_of in as_of_days:
        rule = ActivityRule(as_of)
        for kind, last_order, fee_due, last_fee in itertools.product(
            ("ambassador", "vip_customer", "retail_customer"),
            [None, *days[::3]],
            [None, *days],
            [None, *days[::4]],
        ):
            expected = decide_activity(
                kind=kind,
                as_of=as_of,
                last_order_on=last_order,
                membership_fee_due_on=fee_due,
                last_fee_paid_on=last_fee,
            ).activity
            iso = [d.isoformat() if d else None for d in (last_order, fee_due, last_fee)]
            assert rule(kind, *iso) == expected, (as_of, kind, last_order, fee_due, last_fee)


@pytest.mark.django_db(transaction=True)
def test_the_refresh_as_the_job_runs_it_vacuums_outside_a_transaction():
    # The beat job runs outside a transaction: on PostgreSQL the refresh ends with VACUUM (ANALYZE),
    # which a transaction would refuse; inside one (the other tests) it only analyzes.
    with clock.frozen_at(TODAY):
        AmbassadorFactory(number=1001, name="Ann Leader", enrolled_on=date(2020, 1, 1))
        result = team_rollup_refresh()
    assert (result["members"], TeamRollup.objects.get(account__number=1001).downline) == (3, 0)
