"""What the admin index shows each staff group (selectors only; the template tag renders it).

Live figures come from the open rows (few, indexed by status and due date); history comes from
``DailyMetric`` (precomputed by ``dashboard_metrics_refresh``), so the page costs a handful of
small queries whatever the size of the tables.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString

from leads.models import LeadRun
from operations.models import DailyMetric, StaffInboxEntry
from operations.staff import charts
from operations.staff.leads_figures import BUCKETS, leads_waiting
from operations.staff.metrics import PAID, PLACED, WAITING, leads_window_start, queue_metric
from operations.staff.queues import QUEUES, QueueSpec
from plexus_office import clock
from plexus_office.dates import add_months
from plexus_office.platform.roles import FINANCE, LEADS_OPERATIONS, STAFF_GROUPS

SLA_DAYS = 30
WEEKS = 12


@dataclass
class QueuePanel:
    spec: QueueSpec
    counts: dict[str, int]
    open_url: str
    sla_share: float | None
    sla_decided: int
    sla_on_time: int


@dataclass
class Dashboard:
    groups: list[str]
    today: date
    queues: list[QueuePanel] = field(default_factory=list)
    charts: list[tuple[str, SafeString]] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    refreshed_at: Any = None
    inbox: list[StaffInboxEntry] = field(default_factory=list)


def user_groups(user) -> list[str]:
    if user.is_superuser:
        return list(STAFF_GROUPS)
    names = getattr(user, "_plexus_group_names", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._plexus_group_names = names
    return [g for g in STAFF_GROUPS if g in names]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _metrics(names: list[str], start: date) -> dict[str, dict[date, tuple[int, Decimal]]]:
    out: dict[str, dict[date, tuple[int, Decimal]]] = defaultdict(dict)
    rows = DailyMetric.objects.filter(metric__in=names, day__gte=start).values_list(
        "metric", "day", "count", "amount"
    )
    for metric, day, count, amount in rows:
        out[metric][day] = (count, amount)
    return out


def _weekly(
    series: dict[date, tuple[int, Decimal]], today: date, *, amount: bool = False
) -> list[tuple[str, Any]]:
    first = week_start(today) - timedelta(weeks=WEEKS - 1)
    buckets: dict[date, Any] = {
        first + timedelta(weeks=i): (Decimal("0") if amount else 0) for i in range(WEEKS)
    }
    for day, (count, total) in series.items():
        key = week_start(day)
        if key in buckets:
            buckets[key] += total if amount else count
    return [(f"{d:%b} {d.day}", v) for d, v in sorted(buckets.items())]


def staff_dashboard(*, user) -> Dashboard:
    today = clock.today()
    groups = user_groups(user)
    board = Dashboard(groups=groups, today=today)
    specs = [q for q in QUEUES if q.group in groups]
    history_start = min(today - timedelta(weeks=WEEKS), leads_window_start(today))
    names = [queue_metric(s.key, f) for s in specs for f in ("entered", "decided", "on_time")]
    names += [PAID, PLACED, "refreshed"]
    metrics = _metrics(names, history_start)
    refreshed = DailyMetric.objects.filter(metric="refreshed").order_by("-refreshed_at").first()
    board.refreshed_at = refreshed.refreshed_at if refreshed else None
    sla_start = today - timedelta(days=SLA_DAYS - 1)
    share_rows = []
    for spec in specs:
        decided = sum(
            n for d, (n, _a) in metrics[queue_metric(spec.key, "decided")].items() if d >= sla_start
        )
        on_time = sum(
            n for d, (n, _a) in metrics[queue_metric(spec.key, "on_time")].items() if d >= sla_start
        )
        share = on_time / decided if decided else None
        board.queues.append(
            QueuePanel(
                spec=spec,
                counts=spec.live_counts(today=today, user=user),
                open_url=f"{reverse(spec.changelist)}?{spec.open_params}",
                sla_share=share,
                sla_decided=decided,
                sla_on_time=on_time,
            )
        )
        share_rows.append((spec.label, share, f"({on_time:,} of {decided:,})"))
    if specs:
        board.charts.append(
            (
                f"SLA compliance, last {SLA_DAYS} days (share decided by the due date)",
                charts.share_bars(share_rows, title="SLA compliance per queue"),
            )
        )
        for spec in specs:
            points = _weekly(metrics[queue_metric(spec.key, "entered")], today)
            board.charts.append(
                (f"{spec.label}: new per week", charts.bar_chart(points, title=f"{spec.label} per week"))
            )
    if FINANCE in groups:
        paid = metrics[PAID]
        board.charts.append(
            ("Refunds paid per week", charts.bar_chart(_weekly(paid, today), title="Refunds paid per week"))
        )
        board.charts.append(
            (
                "Amount refunded per week (USD)",
                charts.bar_chart(
                    _weekly(paid, today, amount=True),
                    title="Amount refunded per week",
                    fmt=lambda v: f"${float(v):,.0f}",
                    color=charts.GOOD,
                ),
            )
        )
    if LEADS_OPERATIONS in groups:
        _leads_panel(board, metrics[PLACED], today)
    board.inbox = list(StaffInboxEntry.objects.filter(user=user)[:5]) if user.pk else []
    return board


def _leads_panel(board: Dashboard, placed: dict[date, tuple[int, Decimal]], today: date) -> None:
    months = [add_months(today.replace(day=1), -i) for i in range(11, -1, -1)]
    per_month = dict.fromkeys(months, 0)
    for day, (count, _a) in placed.items():
        key = day.replace(day=1)
        if key in per_month:
            per_month[key] += count
    board.charts.append(
        (
            "Leads placed per month",
            charts.bar_chart(
                [(f"{m:%b %y}", n) for m, n in per_month.items()], title="Leads placed per month"
            ),
        )
    )
    waiting = _waiting_from_metrics() or leads_waiting(today=today)
    board.charts.append(
        (
            "Leads waiting under “2”, by days listed",
            charts.bar_chart(waiting["buckets"], title="Leads waiting by days listed", color=charts.BAD),
        )
    )
    run = LeadRun.objects.filter(finished_at__isnull=False, error="").order_by("-started_at").first()
    if run is not None:
        board.facts.append(
            (
                "Qualified sponsors",
                f"{run.qualified_sponsor_count:,} ({run.open_sponsor_count:,} open this half-month) "
                f"at {'dry run' if run.dry_run else 'run'} #{run.pk}, as of {run.as_of:%Y-%m-%d}",
            )
        )
    else:
        board.facts.append(("Qualified sponsors", "no Leads run yet"))
    board.facts.append(
        ("Leads waiting", f"{waiting['count']:,}, of which {waiting['due']:,} due for placement")
    )
    oldest = waiting["oldest_days"]
    board.facts.append(("Longest wait", "nobody waiting" if oldest is None else f"{oldest:,} days under “2”"))


def _waiting_from_metrics() -> dict[str, Any] | None:
    """The leads-waiting figures of the last metrics run (100,000 rows under "2" are too many to
    read on every dashboard view); None before the first run."""
    marker = DailyMetric.objects.filter(metric="refreshed").order_by("-day").first()
    if marker is None:
        return None
    rows = dict(
        DailyMetric.objects.filter(metric__startswith=WAITING, day=marker.day).values_list("metric", "count")
    )
    if f"{WAITING}count" not in rows:
        return None
    return {
        "count": rows[f"{WAITING}count"],
        "due": rows.get(f"{WAITING}due", 0),
        "oldest_days": rows.get(f"{WAITING}oldest_days"),
        "buckets": [(label, rows.get(f"{WAITING}bucket{i}", 0)) for i, (_l, _h, label) in enumerate(BUCKETS)],
    }
