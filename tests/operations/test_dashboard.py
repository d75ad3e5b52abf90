"""The admin index per staff group: live queue figures, SLA compliance and volume from the metrics."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from clearing.models import ClearRequest
from operations.models import DailyMetric
from operations.staff.charts import bar_chart, share_bars
from operations.staff.dashboard import staff_dashboard
from operations.staff.metrics import dashboard_metrics_refresh
from refunds.models import Refund
from tests.factories import TODAY

pytestmark = pytest.mark.django_db


def metric(name: str, day: date) -> int:
    row = DailyMetric.objects.filter(metric=name, day=day).first()
    return row.count if row else 0


def test_customer_service_sees_its_three_queues_with_open_due_overdue_and_mine(company):
    ClearRequest.objects.filter(pk=company.clear_request.pk).update(
        due_on=TODAY - timedelta(days=1), assignee=company.users["customer_service"]
    )

    board = staff_dashboard(user=company.users["customer_service"])

    got = {p.spec.key: p.counts for p in board.queues}
    assert got == {
        "clearing": {"open": 1, "due_today": 0, "overdue": 1, "mine": 1},
        "corrections": {"open": 1, "due_today": 0, "overdue": 0, "mine": 0},
        "refunds_requested": {"open": 0, "due_today": 0, "overdue": 0, "mine": 0},
    }


def test_each_group_sees_only_its_own_queues(company):
    keys = {
        role: [p.spec.key for p in staff_dashboard(user=company.users[role]).queues]
        for role in ("returns", "finance", "leads_ops")
    }

    assert keys == {"returns": ["refunds_returns"], "finance": ["refunds_payments"], "leads_ops": []}


def test_the_metrics_job_counts_entries_decisions_and_decisions_by_the_due_date(company):
    # The refund was requested and authorized on TODAY (due TODAY + 2 business days): on time.
    dashboard_metrics_refresh(as_of=TODAY)

    assert metric("refunds_requested.entered", TODAY) == 1
    assert metric("refunds_requested.decided", TODAY) == 1
    assert metric("refunds_requested.on_time", TODAY) == 1
    assert metric("clearing.entered", TODAY) == 1


def test_a_late_decision_lowers_the_sla_share(company):
    Refund.objects.filter(pk=company.refund.pk).update(
        requested_on=TODAY - timedelta(days=10), authorized_on=TODAY
    )
    dashboard_metrics_refresh(as_of=TODAY)

    panel = {p.spec.key: p for p in staff_dashboard(user=company.users["customer_service"]).queues}

    assert (panel["refunds_requested"].sla_decided, panel["refunds_requested"].sla_on_time) == (1, 0)
    assert panel["refunds_requested"].sla_share == 0.0


def test_running_the_metrics_job_twice_gives_the_same_rows(company):
    dashboard_metrics_refresh(as_of=TODAY)
    first = sorted(DailyMetric.objects.exclude(metric="refreshed").values_list("metric", "day", "count"))
    dashboard_metrics_refresh(as_of=TODAY)

    assert (
        sorted(DailyMetric.objects.exclude(metric="refreshed").values_list("metric", "day", "count")) == first
    )


def test_finance_gets_refunds_paid_per_week_and_amounts(company):
    Refund.objects.filter(pk=company.refund.pk).update(
        status="refunded", refunded_on=TODAY, amount=Decimal("89.95")
    )
    dashboard_metrics_refresh(as_of=TODAY)

    board = staff_dashboard(user=company.users["finance"])

    titles = [title for title, _svg in board.charts]
    assert "Refunds paid per week" in titles and "Amount refunded per week (USD)" in titles
    svg = dict(board.charts)["Amount refunded per week (USD)"]
    assert "$90" in svg


def test_leads_operations_see_leads_waiting_and_how_long(company):
    board = staff_dashboard(user=company.users["leads_ops"])

    facts = dict(board.facts)
    # Lena (VIP customer under "2") enrolled by the factory default date: waiting, and due.
    assert facts["Leads waiting"].startswith("1, of which")
    assert "Leads placed per month" in [title for title, _svg in board.charts]


def test_the_admin_index_renders_the_dashboard_for_each_group(company):
    for role in ("customer_service", "returns", "finance", "leads_ops"):
        client = Client()
        client.force_login(company.users[role])
        page = client.get("/admin/").content.decode()
        assert 'id="staff-dashboard"' in page, role
        assert "<svg" in page, role
        assert "cdn" not in page.lower(), role


def test_charts_escape_labels_and_scale_bars_to_a_round_top():
    svg = bar_chart([("<b>", 3), ("w2", 7)], title="t & t")

    assert "&lt;b&gt;" in svg and "t &amp; t" in svg
    assert ">10<" in svg  # axis top: 7 rounds up to 10
    assert "no decisions" in share_bars([("Queue", None, "")], title="x")


def _axis_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end"[^>]*>([^<]*)<', svg)


def _dollars(value) -> str:
    return f"${float(value):,.0f}"


def test_a_chart_with_nothing_to_show_says_so_instead_of_a_made_up_scale():
    svg = bar_chart([("w1", Decimal("0")), ("w2", Decimal("0"))], title="Amount", fmt=_dollars)

    assert _axis_labels(svg) == ["$0"]
    assert "Nothing in this period" in svg


def test_a_one_dollar_axis_repeats_no_label():
    svg = bar_chart([("w1", Decimal("0")), ("w2", Decimal("1"))], title="Amount", fmt=_dollars)

    assert _axis_labels(svg) == ["$0", "$1"]
    assert "Nothing in this period" not in svg


def test_count_axes_fall_on_whole_numbers():
    assert _axis_labels(bar_chart([("w1", 3), ("w2", 1)], title="t")) == ["0", "1", "2", "3", "4", "5"]
    assert _axis_labels(bar_chart([("w1", 2)], title="t")) == ["0", "1", "2"]
    assert _axis_labels(bar_chart([("w1", 12)], title="t")) == ["0", "5", "10", "15", "20"]


def test_money_axes_keep_quarters():
    svg = bar_chart([("w1", Decimal("830.50"))], title="Amount", fmt=_dollars)

    assert _axis_labels(svg) == ["$0", "$250", "$500", "$750", "$1,000"]
