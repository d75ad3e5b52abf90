"""Today's team read from the rollup when it is fresh (tree sizes, downline size) and the CSV stream's
set-based facts: the same answers as the live count and the history walk, in pinned queries."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Account, SponsorChangeReason, TeamRollup
from accounts.services import sponsor_change
from accounts.team import export as export_module
from accounts.team.rollup import team_rollup_refresh
from accounts.team.selectors import ReportFilters, children_on, report_rows
from accounts.team.today import TodayReport, downline_size_today
from plexus_office import clock
from tests.accounts.team_builders import slim_order, team_people
from tests.factories import (
    TODAY,
    MembershipFeePaymentFactory,
    ProductFactory,
    VipCustomerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(TODAY):
        yield


@pytest.fixture
def team():
    """Ann > Ben > (Cora, Dan); Ann > Eve; orders this month and last month, a fee paid by Ben."""
    ann, ben, cora, dan = team_people()
    VipCustomerFactory(number=4001, name="Eve Else", sponsor=ann, enrolled_on=date(2024, 7, 1))
    slim = ProductFactory(sku="SLIM", price=Decimal("89.95"), pv=60)
    this_month = TODAY.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    for ref, account, qty, day in (
        ("A", cora, 1, this_month),
        ("B", dan, 2, this_month),
        ("C", dan, 1, last_month),
        ("D", ben, 3, last_month),
        ("E", ben, 1, date(2023, 5, 5)),
    ):
        slim_order(ref=f"O-{ref}", account=account, qty=qty, day=day, product=slim)
    MembershipFeePaymentFactory(account=ben, paid_on=last_month)
    return ann


def _sizes(nodes):
    return [(n.number, n.downline_size, n.size_computed_at) for n in nodes]


def test_tree_sizes_come_from_a_fresh_rollup_with_its_time(team, django_assert_num_queries):
    team_rollup_refresh()
    # 1: the children by sponsor, their facts and each one's fresh rollup row (no count run)
    with django_assert_num_queries(1):
        nodes = children_on(parent=team, day=TODAY)
    assert _sizes(nodes) == [(2001, 2, clock.now()), (4001, 0, clock.now())]


def test_tree_sizes_are_counted_when_the_rollup_is_stale(team, django_assert_num_queries):
    team_rollup_refresh()
    TeamRollup.objects.update(computed_at=clock.now() - timedelta(hours=2))
    eve = Account.objects.get(number=4001)
    sponsor_change(account=eve, new_sponsor=Account.objects.get(number=2001),
                   reason=SponsorChangeReason.CORRECTION, actor=None)  # fmt: skip
    # 1: the children by sponsor, their facts and each one's count over the path range
    with django_assert_num_queries(1):
        nodes = children_on(parent=team, day=TODAY)
    assert _sizes(nodes) == [(2001, 3, None)]


def test_tree_sizes_without_a_rollup_equal_the_path_count(team):
    nodes = children_on(parent=team, day=TODAY)
    assert _sizes(nodes) == [(2001, 2, None), (4001, 0, None)]


def test_downline_size_is_the_fresh_rollups_with_its_time(team, django_assert_num_queries):
    team_rollup_refresh()
    team.refresh_from_db(fields=["path"])  # a created account's path is written by the INSERT
    # 1: the root's fresh rollup row (the count is not run)
    with django_assert_num_queries(1):
        assert downline_size_today(root=team) == (4, clock.now())


def test_downline_size_is_counted_when_the_rollup_is_stale(team, django_assert_num_queries):
    team_rollup_refresh()
    TeamRollup.objects.update(computed_at=clock.now() - timedelta(hours=2))
    team.refresh_from_db(fields=["path"])
    # 1: no fresh rollup row, so the count over the path range
    with django_assert_num_queries(1):
        assert downline_size_today(root=team) == (4, None)


def test_the_csv_stream_equals_the_history_walk_with_every_fact(team, monkeypatch, django_assert_num_queries):
    team_rollup_refresh()
    monkeypatch.setattr(export_module, "STREAM_CHUNK", 2)
    report = TodayReport(root=team, day=TODAY, filters=ReportFilters())
    # 1: the root's rollup row (its time and high-water marks); 2: the rows joined with their rollup
    # facts, read two at a time. PostgreSQL wraps 2 in a transaction (a savepoint inside the test's):
    # SAVEPOINT; SET LOCAL (plan the cursor for all its rows, no JIT); the rows; RELEASE.
    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 2):
        streamed = [row.as_dict() for row in report]
    walked = [row.as_dict() for row in report_rows(root=team, day=TODAY, filters=ReportFilters())]
    assert streamed == walked
    by_number = {row["number"]: row for row in streamed}
    assert (by_number[2001]["pv_this_month"], by_number[2001]["pv_last_month"]) == (0, 180)
    assert (by_number[3002]["pv_this_month"], by_number[3002]["pv_last_month"]) == (120, 60)
    assert (
        by_number[2001]["last_order_on"]
        == (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1).isoformat()
    )


def test_the_csv_stream_equals_its_pages(team):
    team_rollup_refresh()
    for filters in (
        ReportFilters(),
        ReportFilters(kind="vip_customer"),
        ReportFilters(sort="name"),
        ReportFilters(leads_placed_with_me=True),
    ):
        report = TodayReport(root=team, day=TODAY, filters=filters)
        assert [r.as_dict() for r in report] == [r.as_dict() for r in report[0:50]], filters
