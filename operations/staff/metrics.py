"""``dashboard_metrics_refresh``: the daily figures behind the admin dashboards.

The charts cover weeks and months of requests; counting them live would scan millions of rows on
every dashboard view. The job reads each source once per run (grouped, over the window only) and
replaces the window's ``DailyMetric`` rows in one transaction, so a run is idempotent and a
dashboard never sees a half-written window. Beat runs it every 30 minutes; days with nothing
have no row (read as zero).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum

from leads.models import LeadPlacement
from operations.models import DailyMetric
from operations.staff.leads_figures import leads_waiting
from operations.staff.queues import QUEUES
from plexus_office import clock
from plexus_office.dates import add_months
from refunds.models import Refund, RefundStatus

WINDOW_DAYS = 13 * 7  # thirteen weeks: twelve full weeks on the chart plus the current one
LEADS_MONTHS = 12

PAID = "refunds.paid"
PLACED = "leads.placed"
WAITING = "leads.waiting."  # count, due, oldest_days, bucket0..4: today only


def queue_metric(key: str, figure: str) -> str:
    return f"{key}.{figure}"  # entered | decided | on_time


def leads_window_start(today: date) -> date:
    return add_months(today.replace(day=1), -(LEADS_MONTHS - 1))


def dashboard_metrics_refresh(*, as_of: date | None = None) -> int:
    """Recompute the window's figures; returns how many metric rows now describe it."""
    today = clock.today(as_of)
    start = today - timedelta(days=WINDOW_DAYS - 1)
    counts: dict[tuple[str, date], int] = defaultdict(int)
    amounts: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for spec in QUEUES:
        for day in spec.entries(start, today):
            counts[(queue_metric(spec.key, "entered"), day)] += 1
        for day, on_time in spec.decisions(start, today):
            counts[(queue_metric(spec.key, "decided"), day)] += 1
            if on_time:
                counts[(queue_metric(spec.key, "on_time"), day)] += 1
    paid = (
        Refund.objects.filter(status=RefundStatus.REFUNDED, refunded_on__gte=start, refunded_on__lte=today)
        .values("refunded_on")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by()
    )
    for row in paid:
        counts[(PAID, row["refunded_on"])] = row["n"]
        amounts[(PAID, row["refunded_on"])] = row["total"] or Decimal("0.00")
    leads_start = leads_window_start(today)
    placed = (
        LeadPlacement.objects.filter(as_of__gte=leads_start, as_of__lte=today)
        .values("as_of")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in placed:
        counts[(PLACED, row["as_of"])] = row["n"]
    waiting = leads_waiting(today=today)
    counts[(f"{WAITING}count", today)] = waiting["count"]
    counts[(f"{WAITING}due", today)] = waiting["due"]
    if waiting["oldest_days"] is not None:
        counts[(f"{WAITING}oldest_days", today)] = waiting["oldest_days"]
    for i, (_label, n) in enumerate(waiting["buckets"]):
        counts[(f"{WAITING}bucket{i}", today)] = n
    now = clock.now()
    rows = [
        DailyMetric(
            metric=metric,
            day=day,
            count=n,
            amount=amounts.get((metric, day), Decimal("0.00")),
            refreshed_at=now,
        )
        for (metric, day), n in sorted(counts.items())
    ]
    queue_metrics = [queue_metric(s.key, f) for s in QUEUES for f in ("entered", "decided", "on_time")]
    with transaction.atomic():
        DailyMetric.objects.filter(metric__in=[*queue_metrics, PAID], day__gte=start, day__lte=today).delete()
        DailyMetric.objects.filter(metric=PLACED, day__gte=leads_start, day__lte=today).delete()
        DailyMetric.objects.filter(metric__startswith=WAITING, day=today).delete()
        DailyMetric.objects.bulk_create(rows, batch_size=1000)
        # A marker row even when every figure is zero: the dashboard shows when it was refreshed.
        DailyMetric.objects.update_or_create(
            metric="refreshed", day=today, defaults={"count": len(rows), "refreshed_at": now}
        )
    return len(rows)
