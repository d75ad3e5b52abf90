"""The seeded orders (18 months), their lines, original gateway charges, commissions and perk credits,
as COPY text lines. The biggest phase (about nine rows per account): every line is one f-string of
precomputed pieces, amounts are integer cents, and each product pick's line tail, subtotal and PV
are made once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.conf import settings

from accounts.models import CommissionEntry, CommissionKind, Order, OrderLine, PerkCredit
from operations.seed.plan import ACTIVE, AMBASSADOR, NEITHER, ORPHANAGE, SUB_ACTIVE, SUB_PAUSED, VIP, Plan
from operations.seed.rows import Members, Start
from operations.seed.text import NULL, Amounts, IsoDays, phase_rng
from operations.seed.writer import Progress, Table
from plexus_office.dates import add_months, month_start
from plexus_office.platform.models import SandboxCharge

PERK_NOTE = "Perk credit for a subscription order"


def _order_days(
    r: Callable[[], float], *, today: int, enrolled: int, sponsor: int, profile: int, kind: int, sub: int
) -> list[int]:
    """The day ordinals an account ordered on, oldest first (active members ordered recently)."""
    if sponsor == ORPHANAGE:
        return [enrolled]
    first = max(enrolled, today - 540)
    if profile == ACTIVE:
        days = [first + int(r() * (today - first)) for _ in range(int(r() * 3) + (sub == SUB_ACTIVE))]
        recent = max(first, today - 60)
        days.append(recent + int(r() * (today - recent)))  # a recent order keeps them active
    elif profile == NEITHER:
        recent = max(first, today - 150)
        days = [recent + int(r() * (today - recent))]
    else:  # inactive or cancelled: only old orders (12+ months for customers, 6+ for ambassadors)
        last = today - (370 if kind != AMBASSADOR else 200)
        days = [first + int(r() * (last - first + 1)) for _ in range(int(r() * 3))] if first <= last else []
    return sorted(d for d in days if enrolled <= d < today)


def _share(cents: int, percent: int) -> int:
    """``percent`` of ``cents``, rounded half to even like ``Decimal.quantize``."""
    whole, rest = divmod(cents * percent, 100)
    if rest * 2 > 100 or (rest * 2 == 100 and whole % 2):
        whole += 1
    return whole


def write_orders(plan: Plan, start: Start, members: Members, *, progress: bool) -> dict[str, int]:
    r = phase_rng(plan.seed, "orders").random
    seed = plan.seed
    today = plan.as_of.toordinal()
    this_month = month_start(plan.as_of).toordinal()
    iso, money = IsoDays(), Amounts()
    paid_on: dict[int, str] = {}  # day ordinal -> first day of the next month (commissions paid then)
    thresholds = sorted(settings.PERK_CREDIT_THRESHOLDS)
    # (product, quantity) -> the line's text after its ids, its cents and its PV.
    picks = [
        [(f"\t{p.pk}\t{qty}\t{p.price}\t{p.pv}", int(p.price * 100) * qty, p.pv * qty) for qty in (1, 2)]
        for p in start.products
    ]
    n_products = len(picks)
    commission_kinds = {
        VIP: (CommissionKind.VIP_CUSTOMER_BONUS.value, 10),  # 10 % of the subtotal
        AMBASSADOR: (CommissionKind.COMMISSION.value, 5),
    }
    bar = Progress(total=len(plan), label="orders", enabled=progress)
    orders = Table(
        Order,
        [
            "id",
            "ref",
            "account_id",
            "ordered_on",
            "country",
            "fulfillment",
            "picked_up",
            "shipping",
            "subscription_order",
            "card_id",
            "charge_id",
            "perk_credits_earned",
        ],
    )
    lines = Table(OrderLine, ["id", "order_id", "product_id", "qty", "unit_price", "pv"], depends_on=[orders])
    charges = Table(SandboxCharge, ["id", "charge_id", "token", "amount", "idempotency_key"])
    commissions = Table(
        CommissionEntry,
        ["id", "earner_id", "kind", "amount", "order_id", "status", "earned_on", "paid_on", "note"],
        depends_on=[orders],
    )
    perks = Table(
        PerkCredit, ["id", "account_id", "order_id", "amount", "created_on", "note"], depends_on=[orders]
    )
    add_order, add_line, add_charge = orders.add_text, lines.add_text, charges.add_text
    add_commission, add_perk = commissions.add_text, perks.add_text
    oid, lid, pid, coid = (start.ids[name] for name in ("order", "order_line", "perk", "commission"))
    charge_offset = start.ids["gateway_charge"] - oid  # one charge per order, numbered alongside
    base_id = start.base_id
    columns = zip(
        plan.sponsor,
        plan.kind,
        plan.profile,
        plan.sub,
        plan.enrolled,
        members.card,
        members.country,
        strict=True,
    )
    for i, (sponsor, kind, profile, sub, enrolled, card, country) in enumerate(columns):
        if i % 10_000 == 0 and i:
            bar.advance(10_000)
        days = _order_days(
            r, today=today, enrolled=enrolled, sponsor=sponsor, profile=profile, kind=kind, sub=sub
        )
        if not days:
            continue
        aid = base_id + i
        card_text = card or NULL
        # Every order was paid by card: its original charge is on file, so any refund can be paid.
        # (Members without a card on file today paid with one since removed.)
        token = f"tok_seed{seed}_{card:010d}" if card else f"tok_seed{seed}_removed_{i}"
        earner = base_id + sponsor if sponsor >= 0 and plan.kind[sponsor] == AMBASSADOR else 0
        commission_kind, percent = commission_kinds.get(kind, commission_kinds[AMBASSADOR])
        us = country == "US"
        subscribing = sub == SUB_ACTIVE or sub == SUB_PAUSED
        for ordinal in days:
            day = iso[ordinal]
            pickup = us and r() < 0.03
            shipping = 0 if pickup else 795 if us else 1295
            subscription_order = subscribing and r() < 0.6
            first = int(r() * n_products)
            tail, subtotal, pv = picks[first][r() >= 0.8]
            second_tail = ""
            if r() >= 0.55:
                second = int(r() * (n_products - 1))
                second_tail, cents, points = picks[second + (second >= first)][r() >= 0.8]
                subtotal += cents
                pv += points
            charge = f"ch_seed{seed}_{oid:010d}"
            perk = 0
            if subscription_order and ordinal >= today - 90:
                for threshold, amount in thresholds:
                    if pv >= threshold:
                        perk = int(amount * 100)
            add_order(
                f"{oid}\tSD-{oid:08d}\t{aid}\t{day}\t{country}\t{'pickup' if pickup else 'ship'}\t"
                f"{'t' if pickup and ordinal < today - 7 else 'f'}\t{money[shipping]}\t"
                f"{'t' if subscription_order else 'f'}\t{card_text}\t{charge}\t{money[perk]}"
            )
            add_line(f"{lid}\t{oid}{tail}")  # after their order: a flush of lines flushes the orders first
            lid += 1
            if second_tail:
                add_line(f"{lid}\t{oid}{second_tail}")
                lid += 1
            add_charge(
                f"{oid + charge_offset}\t{charge}\t{token}\t{money[subtotal + shipping]}\tseed-order-{oid}"
            )
            if perk:
                add_perk(f"{pid}\t{aid}\t{oid}\t{money[perk]}\t{day}\t{PERK_NOTE}")
                pid += 1
            if earner and ordinal >= today - 90:
                if ordinal < this_month:
                    if ordinal not in paid_on:
                        paid_on[ordinal] = add_months(month_start(date.fromordinal(ordinal)), 1).isoformat()
                    status = f"paid\t{day}\t{paid_on[ordinal]}"
                else:
                    status = f"unpaid\t{day}\t{NULL}"
                add_commission(
                    f"{coid}\t{earner}\t{commission_kind}\t{money[_share(subtotal, percent)]}\t{oid}\t"
                    f"{status}\t"
                )
                coid += 1
            oid += 1
    bar.advance(len(plan) - bar.done)
    bar.close()
    counts = {"orders": orders.finish(), "order_lines": lines.finish()}  # orders first: lines reference them
    counts["gateway_charges"] = charges.finish()
    counts["commissions"] = commissions.finish()
    counts["perk_credits"] = perks.finish()
    return counts
