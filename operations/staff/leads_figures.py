"""Leads waiting under "2": how many, how many due, how long (shared by the dashboard, the metrics
job and the digest)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce

from accounts.models import Account, AccountStatus
from leads.selectors import DUE_AFTER_DAYS, LEAD_KINDS, orphan_account_id

BUCKETS = (
    (0, 13, "0-13 d"),
    (14, 30, "14-30 d"),
    (31, 60, "31-60 d"),
    (61, 90, "61-90 d"),
    (91, None, "> 90 d"),
)


def leads_waiting(*, today: date) -> dict[str, Any]:
    """Active ambassadors and VIP customers listed under "2": how many, how many due, how long (one query)."""
    listed = Coalesce("listed_under_2_on", "enrolled_on")
    base = Account.objects.filter(
        sponsor_id=orphan_account_id(), kind__in=LEAD_KINDS, status=AccountStatus.ACTIVE
    ).annotate(listed=listed)
    aggregates: dict[str, Any] = {
        "count": Count("pk"),
        "due": Count("pk", filter=Q(listed__lte=today - timedelta(days=DUE_AFTER_DAYS))),
        "oldest": Min("listed"),
    }
    for i, (low, high, _label) in enumerate(BUCKETS):
        bucket = Q(listed__lte=today - timedelta(days=low))
        if high is not None:
            bucket &= Q(listed__gte=today - timedelta(days=high))
        aggregates[f"bucket{i}"] = Count("pk", filter=bucket)
    row = base.aggregate(**aggregates)
    oldest = row["oldest"]
    return {
        "count": row["count"],
        "due": row["due"],
        "oldest_days": (today - oldest).days if oldest else None,
        "buckets": [(label, row[f"bucket{i}"]) for i, (_l, _h, label) in enumerate(BUCKETS)],
    }
