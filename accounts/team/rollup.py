"""The team rollup (``TeamRollup``): group volume and downline counts of every member, this month,
and each member's own facts the report's CSV needs (PV last month, last order, last fee paid).

Summed bottom-up in one pass over the live tree (deepest members first, each adding its totals to
its sponsor), from four set-based reads, and written back replacing the previous refresh. A beat job
runs it (migration 0018); the report shows the volumes with the refresh's time (business-rules §8).
At 1M members the pass takes seconds (bench/README.md), not a query per member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max, Sum

from accounts.models import (
    Account,
    AccountKind,
    MembershipFeePayment,
    Order,
    OrderLine,
    PaidRank,
    Sponsorship,
    Subscription,
    SubscriptionStatus,
    TeamRollup,
)
from plexus_office import clock
from plexus_office.dates import add_months, month_start

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


@dataclass(frozen=True)
class OwnFacts:
    """Each member's own facts for the report's CSV (not summed up the tree) as of the refresh's day,
    and the highest ids of the rows they were read from (``TeamRollup.*_through``)."""

    pv_last_month: dict[int, int]
    last_order_on: dict[int, Any]
    last_fee_paid_on: dict[int, Any]
    paid_rank: dict[int, int]
    sponsorship: dict[int, tuple[int, int, str, bool]]  # sponsor id, sponsor number, reason, personal
    marks: dict[str, int]
    tree_order: list[int]  # the members' ids in path order


def _top(model: Any) -> int:
    return int(model.objects.aggregate(top=Max("id"))["top"] or 0)


def _own_facts(day: Any) -> OwnFacts:
    # The high-water marks first, and every read only up to them: a row recorded later has a higher
    # id and the export applies it (accounts/team/export.py), so nothing counts twice. A row whose id
    # was taken before the mark but committed after these reads waits for the next refresh.
    marks = {
        "orders_through": _top(Order),
        "fees_through": _top(MembershipFeePayment),
        "paid_ranks_through": _top(PaidRank),
        "sponsorships_through": _top(Sponsorship),
    }
    month = month_start(day)
    last_month = add_months(month, -1)
    orders = Order.objects.filter(id__lte=marks["orders_through"])
    pv_last = dict(
        OrderLine.objects.filter(
            order__ordered_on__gte=last_month,
            order__ordered_on__lt=month,
            order_id__lte=marks["orders_through"],
        )
        .values("order__account_id")
        .annotate(pv=Sum(F("pv") * F("qty")))
        .values_list("order__account_id", "pv")
    )
    last_orders = dict(
        orders.filter(ordered_on__lte=day)
        .values("account_id")
        .annotate(last=Max("ordered_on"))
        .values_list("account_id", "last")
    )
    last_fees = dict(
        MembershipFeePayment.objects.filter(paid_on__lte=day, id__lte=marks["fees_through"])
        .values("account_id")
        .annotate(last=Max("paid_on"))
        .values_list("account_id", "last")
    )
    paid = dict(
        PaidRank.objects.filter(month=last_month, id__lte=marks["paid_ranks_through"]).values_list(
            "account_id", "rank"
        )
    )
    periods = Sponsorship.objects.filter(valid_to__isnull=True, id__lte=marks["sponsorships_through"])
    sponsorship = {
        account_id: (sponsor_id, number, reason, personal)
        for account_id, sponsor_id, number, reason, personal in periods.values_list(
            "account_id", "sponsor_id", "sponsor__number", "reason", "personal"
        ).iterator(chunk_size=20_000)
    }
    in_tree_order = list(
        Account.objects.filter(enrolled_on__lte=day)
        .order_by("path")
        .values_list("id", flat=True)
        .iterator(20_000)
    )
    return OwnFacts(pv_last, last_orders, last_fees, paid, sponsorship, marks, in_tree_order)


def _sums(
    day: Any, *, orders_through: int | None = None
) -> tuple[list[tuple[int, int | None, str, bool]], dict[int, list[int]]]:
    month = month_start(day)
    lines = (
        OrderLine.objects.all()
        if orders_through is None
        else OrderLine.objects.filter(order_id__lte=orders_through)
    )
    pv = dict(
        lines.filter(order__ordered_on__gte=month, order__ordered_on__lte=day)
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
    own = _own_facts(day)
    _rows, sums = _sums(day, orders_through=own.marks["orders_through"])
    now = clock.now()
    with transaction.atomic():
        TeamRollup.objects.all().delete()
        _write(sums, own, month=month_start(day), now=now)
    if connection.vendor == "postgresql":
        # The table was just replaced: fresh statistics, or the report's CSV joins plan for the
        # handful of rows autovacuum last saw (a sort of 1M rows per worker, twice the time). And the
        # replaced rows' space made reusable now (VACUUM cannot run inside a transaction: the job runs
        # outside one), or the table grows by a generation per refresh until autovacuum comes, and the
        # next refresh's rows, written in tree order, fill that space in the same order.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {connection.ops.quote_name(TeamRollup._meta.db_table)}")
    return {"members": len(sums), "computed_at": now.isoformat()}


def _own_columns(own: OwnFacts, pk: int, place: int) -> dict[str, Any]:
    sponsor_id, sponsor_number, reason, personal = own.sponsorship.get(pk, (None, None, "", False))
    return {
        "tree_order": place,
        "pv_last_month": int(own.pv_last_month.get(pk) or 0),
        "last_order_on": own.last_order_on.get(pk),
        "last_fee_paid_on": own.last_fee_paid_on.get(pk),
        "paid_rank_last_month": own.paid_rank.get(pk),
        "sponsor_id_then": sponsor_id,
        "sponsor_number": sponsor_number,
        "sponsor_reason": reason,
        "personal": personal,
    }


OWN_TYPES = {
    "tree_order": "bigint",
    "pv_last_month": "bigint",
    "last_order_on": "date",
    "last_fee_paid_on": "date",
    "paid_rank_last_month": "smallint",
    "sponsor_id_then": "bigint",
    "sponsor_number": "bigint",
    "sponsor_reason": "text",
    "personal": "boolean",
}


def _write(sums: dict[int, list[int]], own: OwnFacts, *, month: Any, now: datetime) -> None:
    # In tree order: an organization's rows are then neighbours on disk too.
    items = [(pk, sums[pk]) for pk in own.tree_order if pk in sums]
    placed = {pk for pk, _v in items}
    items += [(pk, v) for pk, v in sums.items() if pk not in placed]
    place = {pk: i for i, (pk, _v) in enumerate(items, start=1)}
    if connection.vendor != "postgresql":
        TeamRollup.objects.bulk_create(
            (
                TeamRollup(
                    account_id=pk,
                    month=month,
                    computed_at=now,
                    **own.marks,
                    **_own_columns(own, pk, place[pk]),
                    **dict(zip(FIELDS, v, strict=True)),
                )
                for pk, v in items
            ),
            batch_size=500,
        )
        return
    table = connection.ops.quote_name(TeamRollup._meta.db_table)
    marks = list(own.marks)
    columns = ", ".join([*marks, "account_id", *FIELDS, *OWN_TYPES])
    arrays = ", ".join(["%s::bigint[]"] * (len(FIELDS) + 1) + [f"%s::{t}[]" for t in OWN_TYPES.values()])
    with connection.cursor() as cursor:
        for start in range(0, len(items), WRITE_CHUNK):
            chunk = items[start : start + WRITE_CHUNK]
            params: list[Any] = [month, now, *own.marks.values(), [pk for pk, _v in chunk]]
            params += [[v[i] for _pk, v in chunk] for i in range(len(FIELDS))]
            rows = [_own_columns(own, pk, place[pk]) for pk, _v in chunk]
            params += [[row[name] for row in rows] for name in OWN_TYPES]
            cursor.execute(
                f"INSERT INTO {table} (month, computed_at, {columns}) "  # noqa: S608 - constants
                f"SELECT %s, %s, {', '.join(['%s'] * len(marks))}, * FROM unnest({arrays})",
                params,
            )


def rollup_of(account_id: int) -> TeamRollup | None:
    return TeamRollup.objects.filter(account_id=account_id).first()
