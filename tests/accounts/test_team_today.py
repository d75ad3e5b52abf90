"""Today's team from the materialized path and the rollup: the same answers as the history walk, in
a fixed number of queries, the report streamed in chunks."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection

from accounts.models import TeamRollup
from accounts.team import export as export_module
from accounts.team.rollup import team_rollup_refresh
from accounts.team.selectors import ReportFilters, children_on, report_for, report_rows, report_totals
from accounts.team.today import TodayReport, numbers_on_path
from plexus_office import clock
from tests.accounts.team_builders import team_with_placed_lead
from tests.factories import (
    TODAY,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(TODAY):
        yield


@pytest.fixture
def team():
    """Ann > Ben > (Cora, Dan); Ann > Eve (a lead placed with Ann later): tests/accounts/team_builders.py."""
    return team_with_placed_lead()


def test_rollup_holds_group_volume_and_downline_of_every_member(team):
    team_rollup_refresh()
    got = {
        r.account.number: (r.personal_pv, r.group_pv, r.downline, r.ambassadors, r.vip_customers)
        for r in TeamRollup.objects.select_related("account").filter(account__number__in=[1001, 2001, 3002])
    }
    assert got == {1001: (0, 240, 4, 1, 3), 2001: (60, 240, 2, 0, 2), 3002: (120, 120, 0, 0, 0)}


def test_report_without_a_rollup_is_computed_by_the_history_walk(team):
    rows, _totals, _at = report_for(root=team, day=TODAY, filters=ReportFilters())
    assert isinstance(rows, list)


def test_today_report_rows_equal_the_history_walks_in_tree_order(team):
    team_rollup_refresh()
    rows, totals, _at = report_for(root=team, day=TODAY, filters=ReportFilters())
    walked = report_rows(root=team, day=TODAY, filters=ReportFilters())
    assert isinstance(rows, TodayReport)
    assert [r.as_dict() for r in rows] == [r.as_dict() for r in walked]
    assert [r.member.number for r in walked] == [2001, 3001, 3002, 4001]
    assert totals.__dict__ == report_totals(walked, day=TODAY).__dict__


def test_today_report_filters_like_the_history_walk(team):
    team_rollup_refresh()
    for filters in (
        ReportFilters(level=2),
        ReportFilters(kind="vip_customer"),
        ReportFilters(leads_placed_with_me=True),
        ReportFilters(sort="name", descending=True),
        ReportFilters(sort="level"),
    ):
        rows = TodayReport(root=team, day=TODAY, filters=filters)
        walked = report_rows(root=team, day=TODAY, filters=filters)
        assert [r.as_dict() for r in rows] == [r.as_dict() for r in walked], filters


def test_a_report_page_is_a_fixed_number_of_queries(team, django_assert_num_queries):
    team_rollup_refresh()
    report = TodayReport(root=team, day=TODAY, filters=ReportFilters())
    # 1: the count over the path range; 2: the page with its facts (joins and per-row subqueries)
    with django_assert_num_queries(2):
        page = Paginator(report, 2).get_page(1)
        numbers = [row.member.number for row in page]
    assert numbers == [2001, 3001]


def test_report_totals_come_from_the_rollup_in_one_query(team, django_assert_num_queries):
    team_rollup_refresh()
    report = TodayReport(root=team, day=TODAY, filters=ReportFilters())
    # 1: the root's rollup row
    with django_assert_num_queries(1):
        totals = report.totals()
    assert (totals.members, totals.new_this_month) == (4, 0)


def test_the_csv_stream_is_one_query_read_in_chunks(team, monkeypatch, django_assert_num_queries):
    team_rollup_refresh()
    monkeypatch.setattr(export_module, "STREAM_CHUNK", 3)
    report = TodayReport(root=team, day=TODAY, filters=ReportFilters())
    # 1: the root's rollup row; 2: one query, read three rows at a time (PostgreSQL adds SAVEPOINT,
    # SET LOCAL for the cursor's plan, RELEASE: see export.stream)
    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 2):
        numbers = [row.member.number for row in report]
    assert numbers == [2001, 3001, 3002, 4001]


def test_a_tree_level_today_is_one_query(team, django_assert_num_queries):
    # 1: the children by sponsor, their facts and each one's downline count over the path range
    with django_assert_num_queries(1):
        nodes = children_on(parent=team, day=TODAY)
    assert [(n.number, n.downline_size, n.joined, n.activity) for n in nodes] == [
        (2001, 2, "personal", "active"),
        (4001, 0, "leads", "inactive"),
    ]


def test_a_path_spells_the_account_numbers_from_the_top():
    assert numbers_on_path("11" + "33e9" + "5f4240") == [1, 1001, 1_000_000]
