"""The seeded members' history tables as COPY text lines: sponsorship periods, paid ranks,
subscriptions with their autoship lines, membership fee payments. Written after the orders (nothing
there depends on them), so the server builds the orders' indexes while these are generated."""

from __future__ import annotations

from accounts.models import (
    MembershipFeePayment,
    PaidRank,
    Rank,
    SponsorChangeReason,
    Sponsorship,
    Subscription,
)
from accounts.models_billing import SubscriptionItem
from operations.seed.plan import AMBASSADOR, CANCELLED, NO_SUB, SUB_ACTIVE, SUB_CANCELLED, Plan
from operations.seed.rows import AUTOSHIP_ITEMS, CATALOGUE_PV, FEE, SUB_STATES, Members, Start
from operations.seed.text import NULL, IsoDays, cents_text, phase_rng
from operations.seed.writer import Table
from plexus_office.dates import add_months, previous_months


def write_sponsorships(plan: Plan, start: Start) -> int:
    """One open period each; former leads also have their closed period under "2"."""
    iso = IsoDays()
    history = Table(
        Sponsorship,
        ["id", "account_id", "sponsor_id", "valid_from", "valid_to", "reason", "end_reason", "personal"],
    )
    add = history.add_text
    enrollment = SponsorChangeReason.ENROLLMENT.value
    placement = SponsorChangeReason.LEAD_PLACEMENT.value
    orphan_id = start.orphan["pk"]
    hid = start.ids["sponsorship"]
    for i, (enrolled, placed, sponsor) in enumerate(
        zip(plan.enrolled, plan.placed, plan.sponsor, strict=True)
    ):
        aid = start.base_id + i
        sponsor_id = start.account_id(sponsor)
        if placed:
            add(f"{hid}\t{aid}\t{orphan_id}\t{iso[enrolled]}\t{iso[placed]}\t{enrollment}\t{placement}\tt")
            add(f"{hid + 1}\t{aid}\t{sponsor_id}\t{iso[placed]}\t{NULL}\t{placement}\t\tf")
            hid += 2
        else:
            add(f"{hid}\t{aid}\t{sponsor_id}\t{iso[enrolled]}\t{NULL}\t{enrollment}\t\tt")
            hid += 1
    return history.finish()


def write_paid_ranks(plan: Plan, start: Start) -> int:
    """Paid ranks for the six months before as_of's month (ambassadors above Brand Ambassador)."""
    r = phase_rng(plan.seed, "paid_ranks").random
    months = [month.isoformat() for month in previous_months(plan.as_of, 6)]
    senior_gold = int(Rank.SENIOR_GOLD)
    drops = (0, 0, 1, 1, 2)
    ranks = Table(PaidRank, ["id", "account_id", "month", "rank"])
    add = ranks.add_text
    rid = start.ids["paid_rank"]
    for i, (kind, title, profile, qualified) in enumerate(
        zip(plan.kind, plan.title, plan.profile, plan.qualified, strict=True)
    ):
        if kind != AMBASSADOR or title < 2 or profile == CANCELLED:
            continue
        aid = start.base_id + i
        for position, month in enumerate(months):
            rank = max(1, title - drops[int(r() * 5)])
            if qualified and position >= 4 and rank < senior_gold:
                rank = senior_gold
            add(f"{rid}\t{aid}\t{month}\t{rank}")
            rid += 1
    return ranks.finish()


def write_subscriptions(plan: Plan, start: Start, members: Members) -> tuple[int, int]:
    """Subscriptions and their autoship lines. Charge days spread evenly over 1-28; an active
    subscription next charges on its day after ``as_of``; the products add up to the subscription's
    PV (20 PV has no exact sum: Kids, 15 PV, and the subscription says so)."""
    r = phase_rng(plan.seed, "subscriptions").random
    as_of = plan.as_of
    today = as_of.toordinal()
    iso = IsoDays()
    next_on = [
        (
            as_of.replace(day=day)
            if as_of.day < day
            else add_months(as_of.replace(day=1), 1).replace(day=day)
        ).isoformat()
        for day in range(1, 29)
    ]
    sku_id = {p.sku: p.pk for p in start.products}
    # Per PV: the PV written and the autoship lines' product and quantity.
    combos = {}
    for pv, combo in AUTOSHIP_ITEMS.items():
        total = sum(CATALOGUE_PV[sku] * qty for sku, qty in combo)
        combos[pv] = (total, [f"{sku_id[sku]}\t{qty}" for sku, qty in combo])
    subs = Table(
        Subscription,
        [
            "id",
            "account_id",
            "status",
            "pv",
            "card_id",
            "started_on",
            "ended_on",
            "charge_day",
            "next_charge_on",
        ],
    )
    items = Table(SubscriptionItem, ["id", "subscription_id", "product_id", "qty"], depends_on=[subs])
    add, add_item = subs.add_text, items.add_text
    sid, item_id = start.ids["subscription"], start.ids["subscription_item"]
    for i, (state, pv, enrolled, card) in enumerate(
        zip(plan.sub, plan.sub_pv, plan.enrolled, members.card, strict=True)
    ):
        if state == NO_SUB:
            continue
        charge_day = i % 28 + 1
        written_pv, lines = combos.get(pv, combos[20])
        cancelled = state == SUB_CANCELLED
        add(
            f"{sid}\t{start.base_id + i}\t{SUB_STATES[state]}\t{written_pv}\t"
            f"{card if card and not cancelled else NULL}\t{iso[enrolled]}\t"
            f"{iso[today - 30 - int(r() * 271)] if cancelled else NULL}\t{charge_day}\t"
            f"{next_on[charge_day - 1] if state == SUB_ACTIVE else NULL}"
        )
        for line in lines:
            add_item(f"{item_id}\t{sid}\t{line}")
            item_id += 1
        sid += 1
    return subs.finish(), items.finish()


def write_fees(plan: Plan, start: Start, members: Members) -> int:
    """Membership fees: the payment that bought the current due date (a year earlier)."""
    today = plan.as_of.toordinal()
    iso = IsoDays()
    fee = cents_text(int(FEE * 100))
    fees = Table(MembershipFeePayment, ["id", "account_id", "paid_on", "amount", "covers_until"])
    fid = start.ids["fee"]
    for i, due in members.fee_due.items():
        paid_on = due - 365
        if paid_on <= today:
            fees.add_text(
                f"{fid}\t{start.base_id + i}\t{iso[max(paid_on, plan.enrolled[i])]}\t{fee}\t{iso[due]}"
            )
            fid += 1
    return fees.finish()
