"""Turn a ``Plan`` into rows of every member table, streamed through ``Table`` writers in chunks.

Order of writing follows the foreign keys (accounts, cards, subscriptions, ... orders, lines,
commissions). Every random choice comes from one ``random.Random`` seeded from the plan's seed.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings

from accounts.models import (
    Account,
    AccountKind,
    CommissionEntry,
    CommissionKind,
    MembershipFeePayment,
    Order,
    OrderLine,
    PaidRank,
    PerkCredit,
    Product,
    Rank,
    SavedCard,
    SponsorChangeReason,
    Sponsorship,
    Subscription,
)
from accounts.models_billing import SubscriptionItem
from accounts.paths import segment
from operations.seed.plan import (
    ACTIVE,
    AMBASSADOR,
    CANCELLED,
    INACTIVE,
    NEITHER,
    NO_SUB,
    ORPHANAGE,
    ROOT,
    SUB_ACTIVE,
    SUB_CANCELLED,
    VIP,
    Plan,
)
from operations.seed.writer import Progress, Table, bulk_load, next_id
from plexus_office.dates import add_months, month_start, previous_months
from plexus_office.platform.models import SandboxCard, SandboxCharge, SandboxRefund

KINDS = {AMBASSADOR: AccountKind.AMBASSADOR, VIP: AccountKind.VIP_CUSTOMER, 2: AccountKind.RETAIL_CUSTOMER}
SUB_STATES = {1: "active", 2: "paused", 3: "cancelled"}
FIRST = (
    "Avery Blake Carmen Dana Elena Felix Grace Hugo Iris Jonah Kira Leo Maya Nolan Olive Priya Quinn Rosa "
    "Silas Tara Uma Victor Wren Xavier Yara Zane Amara Bruno Celia Dmitri Esme Farah Gideon Hana Ivan "
    "Jade Kofi Lena Marco Nadia Omar Paige Rafael Sofia Theo Ursula Vera Wade Yusuf Zoe"
).split()
LAST = (
    "Abbott Barros Castillo Delgado Ellison Fontaine Garrity Holloway Ibarra Jansen Kowalski Lindqvist "
    "Moreau Nakamura Okafor Pellegrino Quintero Rasmussen Salazar Thorne Underhill Valdez Whitaker Xu "
    "Yilmaz Zielinski Ashby Brennan Calloway Dufresne Everhart Fairbanks Galloway Hendricks Iverson "
    "Jaramillo Kincaid Lockhart Mercer Navarro"
).split()
STREETS = "Oak Maple Cedar Saguaro Mesquite Juniper Aspen Willow Canyon Desert Ridge Sierra".split()
PLACES = [
    ("Scottsdale", "AZ", "852", "US"),
    ("Phoenix", "AZ", "850", "US"),
    ("Tempe", "AZ", "852", "US"),
    ("Denver", "CO", "802", "US"),
    ("Austin", "TX", "787", "US"),
    ("Nashville", "TN", "372", "US"),
    ("Boise", "ID", "837", "US"),
    ("Columbus", "OH", "432", "US"),
    ("Raleigh", "NC", "276", "US"),
    ("Portland", "OR", "972", "US"),
    ("Toronto", "ON", "M5V", "CA"),
    ("Calgary", "AB", "T2P", "CA"),
]
CATALOGUE = [
    ("SLIM", "Slim Microbiome Activation", "89.95", 60),
    ("BIOCLEANSE", "BioCleanse", "49.95", 35),
    ("PROBIO5", "ProBio5", "59.95", 40),
    ("LEAN", "Lean Whey Protein", "69.95", 45),
    ("MEGAX", "MegaX Omega-3", "44.95", 30),
    ("XFACTOR", "XFactor Plus", "54.95", 35),
    ("BLOCK", "Block Carb Support", "39.95", 25),
    ("BOOST", "Boost Energy", "64.95", 45),
    ("ACCELERATOR", "Accelerator", "49.95", 30),
    ("VITAL", "VitalBiome", "79.95", 55),
    ("HEALTHYSKIN", "Healthy Skin Serum", "74.95", 40),
    ("KIDS", "Kids Multi Gummies", "29.95", 15),
]
CATALOGUE_PV = {sku: pv for sku, _, _, pv in CATALOGUE}
# The products of a seeded subscription, adding up to its PV (20 PV has no exact sum: Kids, 15 PV).
AUTOSHIP_ITEMS: dict[int, tuple[tuple[str, int], ...]] = {
    20: (("KIDS", 1),),
    40: (("PROBIO5", 1),),
    60: (("SLIM", 1),),
    80: (("PROBIO5", 2),),
    100: (("SLIM", 1), ("PROBIO5", 1)),
    120: (("SLIM", 2),),
    150: (("SLIM", 1), ("LEAN", 2)),
    200: (("SLIM", 2), ("PROBIO5", 2)),
}
CARD_BRANDS = ("Visa", "Visa", "Mastercard", "Amex", "Discover")
FEE = Decimal("29.95")
CENT = Decimal("0.01")


def _aware(day: date) -> datetime:
    return datetime.combine(day, time(17, 0), tzinfo=UTC)


def catalogue() -> list[Product]:
    products = []
    for sku, name, price, pv in CATALOGUE:
        product, _ = Product.objects.get_or_create(
            sku=sku, defaults={"name": name, "price": Decimal(price), "pv": pv}
        )
        products.append(product)
    return products


def wipe_seeded_gateway_data() -> None:
    """Sandbox gateway rows an earlier seed made (tokens and charges carry a ``seed`` prefix)."""
    SandboxRefund.objects.filter(charge__charge_id__startswith="ch_seed").delete()
    SandboxCharge.objects.filter(charge_id__startswith="ch_seed").delete()
    SandboxCard.objects.filter(token__startswith="tok_seed").delete()


def write_company(plan: Plan, *, progress: bool = True) -> dict[str, int]:
    """Write the planned company. On PostgreSQL every table written here is bulk-loaded: keys checked
    and secondary indexes built once at the end, COPY overlapped with generation (``bulk_load``)."""
    with bulk_load(*SEEDED_MODELS):
        return _write_company(plan, progress=progress)


def _write_company(plan: Plan, *, progress: bool) -> dict[str, int]:
    rng = random.Random(plan.seed * 7919 + 17)
    n = len(plan)
    as_of = plan.as_of
    today = as_of.toordinal()
    root = Account.objects.values("pk", "path", "depth").get(number=1)
    orphan = Account.objects.values("pk", "path", "depth").get(number=2)
    root_id, orphan_id = root["pk"], orphan["pk"]
    # Today's genealogy path of every account, written in the COPY (accounts/paths.py): a planned
    # sponsor always comes before the members it sponsors, so its path is already known.
    paths: list[str] = []
    depths: list[int] = []
    base_id = next_id(Account)
    top_number = Account.objects.order_by("-number").values_list("number", flat=True).first() or 0
    base_number = max(100_000, top_number + 1)
    plan.base_id, plan.base_number = base_id, base_number

    def account_id(index: int) -> int:
        return root_id if index == ROOT else orphan_id if index == ORPHANAGE else base_id + index

    bar = Progress(total=n, label="accounts", enabled=progress)
    accounts = Table(
        Account,
        [
            "id",
            "number",
            "kind",
            "status",
            "sponsor_id",
            "personally_enrolled",
            "enrolled_on",
            "listed_under_2_on",
            "name",
            "email",
            "phone",
            "country",
            "mailing_street",
            "mailing_city",
            "mailing_region",
            "mailing_postal_code",
            "mailing_country",
            "shipping_street",
            "shipping_city",
            "shipping_region",
            "shipping_postal_code",
            "shipping_country",
            "title_rank",
            "membership_fee_due_on",
            "last_lead_batch_on",
            "newsletter_opt_in",
            "newsletter_consent_at",
            "info_reviewed_at",
            "cancelled_at",
            "cancel_reason",
            "path",
            "depth",
        ],
        progress=bar,
    )
    postal: list[str] = []
    country_of: list[str] = []
    names: list[str] = []
    fee_due: dict[int, date] = {}
    for i in range(n):
        kind = plan.kind[i]
        city, region, zip_prefix, country = (
            PLACES[rng.randrange(len(PLACES))] if rng.random() < 0.3 else PLACES[rng.randrange(10)]
        )
        code = (
            f"{zip_prefix}{rng.randrange(100):02d}"
            if country == "US"
            else f"{zip_prefix} {rng.randrange(10)}A{rng.randrange(10)}"
        )
        first, last = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
        name = f"{first} {last}"
        if i == plan.leader:
            name = "Bianca Leader"
        suffix = rng.choice(("St", "Ave", "Rd", "Ln"))
        street = f"{rng.randint(10, 9999)} {STREETS[rng.randrange(len(STREETS))]} {suffix}"
        profile = plan.profile[i]
        enrolled = plan.day(plan.enrolled[i])
        due = None
        if kind == AMBASSADOR:
            if profile in (INACTIVE, NEITHER):
                due = as_of - timedelta(days=rng.randint(190, 420))
            elif profile == CANCELLED:
                due = as_of - timedelta(days=rng.randint(1, 400))
            elif plan.sponsor[i] == ORPHANAGE or plan.enrolled[i] > today - 365:
                due = enrolled + timedelta(days=365)
            else:
                due = as_of + timedelta(days=rng.randint(1, 364))
            fee_due[i] = due
        number = base_number + i
        sponsor_index = plan.sponsor[i]
        if sponsor_index == ROOT:
            parent_path, parent_depth = root["path"], root["depth"]
        elif sponsor_index == ORPHANAGE:
            parent_path, parent_depth = orphan["path"], orphan["depth"]
        elif 0 <= sponsor_index < i:
            parent_path, parent_depth = paths[sponsor_index], depths[sponsor_index]
        else:
            raise ValueError(f"plan: member {i} is sponsored by {sponsor_index}, not an earlier member")
        paths.append(parent_path + segment(number))
        depths.append(parent_depth + 1)
        reviewed = as_of - timedelta(days=rng.randint(0, 500))
        opt_in = rng.random() < 0.4
        accounts.add(
            (
                base_id + i,
                number,
                KINDS[kind],
                "cancelled" if profile == CANCELLED else "active",
                account_id(plan.sponsor[i]),
                plan.placed[i] == 0,
                enrolled,
                plan.day(plan.listed[i]) if plan.listed[i] else None,
                name,
                f"{first}.{last}.{number}@example.com".lower(),
                f"+1480555{rng.randrange(10000):04d}",
                country,
                street,
                city,
                region,
                code,
                country,
                street,
                city,
                region,
                code,
                country,
                plan.title[i] or None,
                due,
                (as_of - timedelta(days=rng.randint(5, 60)))
                if plan.qualified[i] and rng.random() < 0.5
                else None,
                opt_in,
                _aware(enrolled) if opt_in else None,
                _aware(reviewed),
                _aware(as_of - timedelta(days=rng.randint(1, 300))) if profile == CANCELLED else None,
                "Cancelled by the holder" if profile == CANCELLED else "",
                paths[i],
                depths[i],
            )
        )
        postal.append(code)
        country_of.append(country)
        names.append(name)
    counts = {"accounts": accounts.finish()}
    bar.close()

    # Sponsorship history: one open period each; former leads also have their period under "2".
    history = Table(
        Sponsorship,
        ["id", "account_id", "sponsor_id", "valid_from", "valid_to", "reason", "end_reason", "personal"],
    )
    hid = next_id(Sponsorship)
    for i in range(n):
        enrolled = plan.day(plan.enrolled[i])
        sponsor = account_id(plan.sponsor[i])
        if plan.placed[i]:
            placed = plan.day(plan.placed[i])
            history.add(
                (
                    hid,
                    base_id + i,
                    orphan_id,
                    enrolled,
                    placed,
                    SponsorChangeReason.ENROLLMENT,
                    SponsorChangeReason.LEAD_PLACEMENT,
                    True,
                )
            )
            history.add(
                (hid + 1, base_id + i, sponsor, placed, None, SponsorChangeReason.LEAD_PLACEMENT, "", False)
            )
            hid += 2
        else:
            history.add((hid, base_id + i, sponsor, enrolled, None, SponsorChangeReason.ENROLLMENT, "", True))
            hid += 1
    counts["sponsorships"] = history.finish()

    # Paid ranks for the six months before as_of's month (ambassadors above Brand Ambassador).
    months = previous_months(as_of, 6)
    ranks = Table(PaidRank, ["id", "account_id", "month", "rank"])
    rid = next_id(PaidRank)
    for i in range(n):
        title = plan.title[i]
        if plan.kind[i] != AMBASSADOR or title < 2 or plan.profile[i] == CANCELLED:
            continue
        for position, month in enumerate(months):
            rank = max(1, title - rng.choice((0, 0, 1, 1, 2)))
            if plan.qualified[i] and position >= 4:
                rank = max(rank, int(Rank.SENIOR_GOLD))
            ranks.add((rid, base_id + i, month, rank))
            rid += 1
    counts["paid_ranks"] = ranks.finish()

    # Cards (sandbox-style tokens, never card numbers) and subscriptions.
    cards = Table(
        SavedCard,
        [
            "id",
            "account_id",
            "token",
            "brand",
            "last4",
            "exp_month",
            "exp_year",
            "holder_name",
            "billing_postal_code",
            "is_default",
        ],
        depends_on=[],
    )
    gateway_cards = Table(SandboxCard, ["id", "token", "brand", "last4", "exp_month", "exp_year"])
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
        depends_on=[cards],
    )
    cid, sid, gid = next_id(SavedCard), next_id(Subscription), next_id(SandboxCard)
    card_of: dict[int, tuple[int, str]] = {}
    for i in range(n):
        state = plan.sub[i]
        if state == NO_SUB and (plan.kind[i] == 2 or rng.random() > 0.25):
            continue
        roll = rng.random()
        expiry = add_months(
            as_of,
            -rng.randint(1, 10) if roll < 0.04 else rng.randint(0, 1) if roll < 0.07 else rng.randint(3, 60),
        )
        token = f"tok_seed{plan.seed}_{cid:010d}"
        brand = CARD_BRANDS[rng.randrange(len(CARD_BRANDS))]
        last4 = f"{rng.randrange(10000):04d}"
        cards.add(
            (cid, base_id + i, token, brand, last4, expiry.month, expiry.year, names[i], postal[i], True)
        )
        gateway_cards.add((gid, token, brand, last4, expiry.month, expiry.year))
        card_of[i] = (cid, token)
        cid += 1
        gid += 1
    counts["cards"] = cards.finish()
    gateway_cards.finish()
    # Autoship lines and schedule (accounts/subscriptions): no random draw here, so every other
    # seeded value stays what it was. Charge days spread evenly over 1-28; an active subscription
    # next charges on its day after ``as_of``; the products add up to the subscription's PV.
    items = Table(SubscriptionItem, ["id", "subscription_id", "product_id", "qty"], depends_on=[subs])
    sku_id = {p.sku: p.pk for p in catalogue()}
    item_id = next_id(SubscriptionItem)
    for i in range(n):
        state = plan.sub[i]
        if state == NO_SUB:
            continue
        card = card_of.get(i, (None, ""))[0] if state != SUB_CANCELLED else None
        ended = as_of - timedelta(days=rng.randint(30, 300)) if state == SUB_CANCELLED else None
        charge_day = i % 28 + 1
        next_on = (
            as_of.replace(day=charge_day)
            if as_of.day < charge_day
            else add_months(as_of.replace(day=1), 1).replace(day=charge_day)
        )
        combo = AUTOSHIP_ITEMS.get(plan.sub_pv[i], AUTOSHIP_ITEMS[20])
        pv = sum(CATALOGUE_PV[sku] * qty for sku, qty in combo)
        subs.add(
            (
                sid,
                base_id + i,
                SUB_STATES[state],
                plan.sub_pv[i] if pv == plan.sub_pv[i] else pv,
                card,
                plan.day(plan.enrolled[i]),
                ended,
                charge_day,
                next_on if state == SUB_ACTIVE else None,
            )
        )
        for sku, qty in combo:
            items.add((item_id, sid, sku_id[sku], qty))
            item_id += 1
        sid += 1
    counts["subscriptions"] = subs.finish()
    items.finish()

    # Membership fees: the payment that bought the current due date (a year earlier).
    fees = Table(MembershipFeePayment, ["id", "account_id", "paid_on", "amount", "covers_until"])
    fid = next_id(MembershipFeePayment)
    for i, due in fee_due.items():
        paid_on = due - timedelta(days=365)
        if paid_on <= as_of:
            fees.add((fid, base_id + i, max(paid_on, plan.day(plan.enrolled[i])), FEE, due))
            fid += 1
    counts["fee_payments"] = fees.finish()

    counts.update(
        _write_orders(plan, rng, base_id=base_id, card_of=card_of, country_of=country_of, progress=progress)
    )
    return counts


SEEDED_MODELS = (
    Account,
    Sponsorship,
    PaidRank,
    SavedCard,
    SandboxCard,
    SandboxCharge,
    Subscription,
    SubscriptionItem,
    MembershipFeePayment,
    Order,
    OrderLine,
    CommissionEntry,
    PerkCredit,
)


def _order_days(plan: Plan, rng: random.Random, i: int) -> list[int]:
    today = plan.as_of.toordinal()
    first = max(plan.enrolled[i], today - 540)
    if plan.sponsor[i] == ORPHANAGE:
        return [plan.enrolled[i]]
    profile = plan.profile[i]
    if profile == ACTIVE:
        days = [
            rng.randint(first, today - 1) for _ in range(rng.randint(0, 2) + (1 if plan.sub[i] == 1 else 0))
        ]
        days.append(rng.randint(max(first, today - 60), today - 1))  # a recent order keeps them active
    elif profile == NEITHER:
        days = [rng.randint(max(first, today - 150), today - 1)]
    else:  # inactive or cancelled: only old orders (12+ months for customers, 6+ for ambassadors)
        last = today - (370 if plan.kind[i] != AMBASSADOR else 200)
        days = [rng.randint(first, last) for _ in range(rng.randint(0, 2))] if first <= last else []
    return sorted(d for d in days if d <= today - 1 and d >= plan.enrolled[i])


def _write_orders(
    plan: Plan, rng: random.Random, *, base_id: int, card_of, country_of, progress: bool
) -> dict[str, int]:
    products = catalogue()
    today = plan.as_of.toordinal()
    this_month = month_start(plan.as_of)
    perk_thresholds = sorted(settings.PERK_CREDIT_THRESHOLDS)
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
        progress=None,
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
    oid, lid, chid = next_id(Order), next_id(OrderLine), next_id(SandboxCharge)
    coid, pid = next_id(CommissionEntry), next_id(PerkCredit)
    for i in range(len(plan)):
        card_id, token = card_of.get(i, (None, ""))
        sponsor = plan.sponsor[i]
        earner = base_id + sponsor if sponsor >= 0 and plan.kind[sponsor] == AMBASSADOR else None
        for ordinal in _order_days(plan, rng, i):
            day = date.fromordinal(ordinal)
            country = country_of[i]
            pickup = country == "US" and rng.random() < 0.03
            shipping = Decimal("0.00") if pickup else Decimal("7.95") if country == "US" else Decimal("12.95")
            subscription_order = plan.sub[i] in (1, 2) and rng.random() < 0.6
            subtotal, pv = Decimal("0.00"), 0
            order_lines = []
            for product in rng.sample(products, 1 if rng.random() < 0.55 else 2):
                qty = 1 if rng.random() < 0.8 else 2
                order_lines.append((lid, oid, product.pk, qty, product.price, product.pv))
                lid += 1
                subtotal += product.price * qty
                pv += product.pv * qty
            # Every order was paid by card: its original charge is on file, so any refund can be paid.
            # (Members without a card on file today paid with one since removed.)
            charge = f"ch_seed{plan.seed}_{oid:010d}"
            perk = Decimal("0.00")
            if subscription_order and ordinal >= today - 90:
                for threshold, amount in perk_thresholds:
                    if pv >= threshold:
                        perk = amount
            orders.add(
                (
                    oid,
                    f"SD-{oid:08d}",
                    base_id + i,
                    day,
                    country,
                    "pickup" if pickup else "ship",
                    pickup and ordinal < today - 7,
                    shipping,
                    subscription_order,
                    card_id,
                    charge,
                    perk,
                )
            )
            lines.extend(order_lines)  # after their order: a flush of lines flushes the orders first
            charges.add(
                (
                    chid,
                    charge,
                    token or f"tok_seed{plan.seed}_removed_{i}",
                    subtotal + shipping,
                    f"seed-order-{oid}",
                )
            )
            chid += 1
            if perk:
                perks.add((pid, base_id + i, oid, perk, day, "Perk credit for a subscription order"))
                pid += 1
            if earner and ordinal >= today - 90:
                kind = CommissionKind.VIP_CUSTOMER_BONUS if plan.kind[i] == VIP else CommissionKind.COMMISSION
                rate = Decimal("0.10") if kind == CommissionKind.VIP_CUSTOMER_BONUS else Decimal("0.05")
                paid = day < this_month
                commissions.add(
                    (
                        coid,
                        earner,
                        kind,
                        (subtotal * rate).quantize(CENT),
                        oid,
                        "paid" if paid else "unpaid",
                        day,
                        add_months(month_start(day), 1) if paid else None,
                        "",
                    )
                )
                coid += 1
            oid += 1
        bar.advance()
    bar.close()
    counts = {"orders": orders.finish(), "order_lines": lines.finish()}  # orders first: lines reference them
    counts["gateway_charges"] = charges.finish()
    counts["commissions"] = commissions.finish()
    counts["perk_credits"] = perks.finish()
    return counts
