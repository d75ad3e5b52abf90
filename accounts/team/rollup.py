"""The team rollup (``TeamRollup``): group volume and downline counts of every member, this month.

Summed bottom-up in one pass over the live tree (deepest members first, each adding its totals to
its sponsor), from four set-based reads, and written back replacing the previous refresh. A beat job
runs it (migration 0018); the report shows the volumes with the refresh's time (business-rules §8).
At 1M members the pass takes seconds (bench/README.md), not a query per member.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Sum

from accounts.models import Account, AccountKind, OrderLine, Subscription, SubscriptionStatus, TeamRollup
from plexus_office import clock
from plexus_office.dates import month_start

FIELDS = (
    "personal_pv",
    "group_pv",
    "downline",
    "ambassadors",
    "vip_customers",
    "retail_customers",
    "new_this_month",
    "active_subscriptions",
)
KIND_FIELD = {
    AccountKind.AMBASSADOR: "ambassadors",
    AccountKind.VIP_CUSTOMER: "vip_customers",
    AccountKind.RETAIL_CUSTOMER: "retail_customers",
}
WRITE_CHUNK = 50_000


def _sums(day: Any) -> tuple[list[tuple[int, int | None, str, bool]], dict[int, list[int]]]:
    month = month_start(day)
    pv = dict(
        OrderLine.objects.filter(order__ordered_on__gte=month, order__ordered_on__lte=day)
        .values("order__account_id")
        .annotate(pv=Sum(F("pv") * F("qty")))
        .values_list("order__account_id", "pv")
    )
    subscribed = set(
        Subscription.objects.filter(status=SubscriptionStatus.ACTIVE).values_list("account_id", flat=True)
    )
    members = list(
        Account.objects.filter(enrolled_on__lte=day)
        .order_by("-depth")
        .values_list("id", "sponsor_id", "kind", "enrolled_on")
    )
    index = {field: i for i, field in enumerate(FIELDS)}
    sums: dict[int, list[int]] = {}
    rows: list[tuple[int, int | None, str, bool]] = []
    for pk, sponsor_id, kind, enrolled_on in members:
        own = int(pv.get(pk) or 0)
        total = sums.setdefault(pk, [0] * len(FIELDS))
        total[index["personal_pv"]] = own
        total[index["group_pv"]] += own
        rows.append((pk, sponsor_id, kind, enrolled_on >= month))
    # Deepest first: a member's totals are complete when its sponsor adds them.
    for member_id, parent_id, kind, new in rows:
        if parent_id is None or parent_id not in sums:
            continue
        mine, theirs = sums[member_id], sums[parent_id]
        theirs[index["group_pv"]] += mine[index["group_pv"]]
        for field in ("downline", "ambassadors", "vip_customers", "retail_customers"):
            theirs[index[field]] += mine[index[field]]
        theirs[index["downline"]] += 1
        theirs[index[KIND_FIELD[AccountKind(kind)]]] += 1
        theirs[index["new_this_month"]] += mine[index["new_this_month"]] + (1 if new else 0)
        theirs[index["active_subscriptions"]] += mine[index["active_subscriptions"]] + (
            member_id in subscribed
        )
    return rows, sums


def team_rollup_refresh(*, day: Any = None) -> dict[str, Any]:
    """Recompute every member's rollup for ``day``'s month (default today) and replace the old one."""
    day = clock.today(day)
    _rows, sums = _sums(day)
    now = clock.now()
    with transaction.atomic():
        TeamRollup.objects.all().delete()
        _write(sums, month=month_start(day), now=now)
    if connection.vendor == "postgresql":
        # The table was just replaced: fresh statistics, or the report's CSV joins plan for the
        # handful of rows autovacuum last saw (a sort of 1M rows per worker, twice the time).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(TeamRollup._meta.db_table)}")
    return {"members": len(sums), "computed_at": now.isoformat()}


def _write(sums: dict[int, list[int]], *, month: Any, now: datetime) -> None:
    items = list(sums.items())
    if connection.vendor != "postgresql":
        TeamRollup.objects.bulk_create(
            (
                TeamRollup(account_id=pk, month=month, computed_at=now, **dict(zip(FIELDS, v, strict=True)))
                for pk, v in items
            ),
            batch_size=500,
        )
        return
    table = connection.ops.quote_name(TeamRollup._meta.db_table)
    columns = ", ".join(FIELDS)
    arrays = ", ".join(["%s::bigint[]"] * (len(FIELDS) + 1))
    with connection.cursor() as cursor:
        for start in range(0, len(items), WRITE_CHUNK):
            chunk = items[start : start + WRITE_CHUNK]
            params: list[Any] = [month, now, [pk for pk, _v in chunk]]
            params += [[v[i] for _pk, v in chunk] for i in range(len(FIELDS))]
            cursor.execute(
                f"INSERT INTO {table} (month, computed_at, account_id, {columns}) "  # noqa: S608 - constants
                f"SELECT %s, %s, * FROM unnest({arrays})",
                params,
            )


def rollup_of(account_id: int) -> TeamRollup | None:
    return TeamRollup.objects.filter(account_id=account_id).first()
