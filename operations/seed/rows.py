"""The seeded company's accounts and cards, as COPY text lines (``Table.add_text``), and the fixed
data every phase of the seed shares (catalogue, names, places, the ids the tables start from).

Each phase draws from its own random stream (``text.phase_rng``), so the same seed gives the same
rows; lines are made in one f-string each from precomputed pieces (``operations/seed/text.py``).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from accounts.models import (
    Account,
    AccountKind,
    Product,
    SavedCard,
)
from accounts.paths import LENGTHS
from operations.seed.plan import (
    AMBASSADOR,
    CANCELLED,
    INACTIVE,
    NEITHER,
    NO_SUB,
    ORPHANAGE,
    RETAIL,
    ROOT,
    VIP,
    Plan,
)
from operations.seed.text import NULL, IsoDays, Stamps, clean, flag, phase_rng
from operations.seed.writer import Progress, Table
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


STREET_SUFFIXES = ("St", "Ave", "Rd", "Ln")
clean(*FIRST, *LAST, *STREETS, *(part for place in PLACES for part in place), *CARD_BRANDS)


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


@dataclass
class Start:
    """What the seed reads before it writes (the writer thread owns the connection afterwards):
    the corporate accounts, the first free id of each table, the catalogue."""

    root: Mapping[str, Any]
    orphan: Mapping[str, Any]
    base_id: int
    base_number: int
    ids: dict[str, int]
    products: list[Product]

    def account_id(self, index: int) -> int:
        if index == ROOT:
            return self.root["pk"]
        if index == ORPHANAGE:
            return self.orphan["pk"]
        return self.base_id + index


@dataclass
class Members:
    """Per planned account, what later phases repeat (pooled strings: one object per distinct value)."""

    names: list[str] = field(default_factory=list)
    postal: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    fee_due: dict[int, int] = field(default_factory=dict)  # index -> due date ordinal (ambassadors)
    card: array = field(default_factory=lambda: array("l"))  # index -> saved card id, 0 without


def segment_of(number: int) -> str:
    digits = format(number, "x")  # accounts.paths.segment, inlined: a million calls
    return LENGTHS[len(digits)] + digits


def write_accounts(plan: Plan, start: Start, *, progress: bool) -> tuple[int, Members]:
    rng = phase_rng(plan.seed, "accounts")
    r = rng.random
    as_of = plan.as_of
    today = as_of.toordinal()
    iso, stamp = IsoDays(), Stamps()
    members = Members()
    # Pools: every full name, the email's lower-case stem, each place's fixed columns and postcodes.
    full = [f"{first} {last}" for first in FIRST for last in LAST]
    stems = [f"{first}.{last}".lower() for first in FIRST for last in LAST]
    n_names = len(full)
    places = []
    for city, region, prefix, country in PLACES:
        if country == "US":
            codes = [f"{prefix}{k:02d}" for k in range(100)]
        else:
            codes = [f"{prefix} {k // 10}A{k % 10}" for k in range(100)]
        places.append((f"{city}\t{region}", country, codes))
    kinds = {kind: value.value for kind, value in KINDS.items()}
    root_id, orphan_id = start.root["pk"], start.orphan["pk"]
    paths: list[str] = []
    depths = array("h")
    bar = Progress(total=len(plan), label="accounts", enabled=progress)
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
    add = accounts.add_text
    fee_due = members.fee_due
    base_id, base_number = start.base_id, start.base_number
    columns = zip(
        plan.kind,
        plan.sponsor,
        plan.enrolled,
        plan.listed,
        plan.placed,
        plan.title,
        plan.profile,
        plan.qualified,
        strict=True,
    )
    for i, (kind, sponsor, enrolled, listed, placed, title, profile, qualified) in enumerate(columns):
        place = places[int(r() * 12) if r() < 0.3 else int(r() * 10)]
        city_region, country, codes = place
        code = codes[int(r() * 100)]
        who = int(r() * n_names)
        name = "Bianca Leader" if i == plan.leader else full[who]
        street = f"{10 + int(r() * 9990)} {STREETS[int(r() * 12)]} {STREET_SUFFIXES[int(r() * 4)]}"
        due = NULL
        if kind == AMBASSADOR:
            if profile == INACTIVE or profile == NEITHER:
                due_on = today - 190 - int(r() * 231)
            elif profile == CANCELLED:
                due_on = today - 1 - int(r() * 400)
            elif sponsor == ORPHANAGE or enrolled > today - 365:
                due_on = enrolled + 365
            else:
                due_on = today + 1 + int(r() * 364)
            fee_due[i] = due_on
            due = iso[due_on]
        number = base_number + i
        if sponsor == ROOT:
            parent_path, parent_depth, sponsor_id = start.root["path"], start.root["depth"], root_id
        elif sponsor == ORPHANAGE:
            parent_path, parent_depth, sponsor_id = start.orphan["path"], start.orphan["depth"], orphan_id
        elif 0 <= sponsor < i:
            parent_path, parent_depth, sponsor_id = paths[sponsor], depths[sponsor], base_id + sponsor
        else:
            raise ValueError(f"plan: member {i} is sponsored by {sponsor}, not an earlier member")
        digits = format(number, "x")
        path = f"{parent_path}{LENGTHS[len(digits)]}{digits}"
        paths.append(path)
        depths.append(parent_depth + 1)
        opt_in = r() < 0.4
        cancelled = profile == CANCELLED
        address = f"{street}\t{city_region}\t{code}\t{country}"
        add(
            f"{base_id + i}\t{number}\t{kinds[kind]}\t{'cancelled' if cancelled else 'active'}\t"
            f"{sponsor_id}\t{flag(placed == 0)}\t{iso[enrolled]}\t{iso[listed] if listed else NULL}\t"
            f"{name}\t{stems[who]}.{number}@example.com\t+1480555{int(r() * 10000):04d}\t{country}\t"
            f"{address}\t{address}\t{title or NULL}\t{due}\t"
            f"{iso[today - 5 - int(r() * 56)] if qualified and r() < 0.5 else NULL}\t{flag(opt_in)}\t"
            f"{stamp[enrolled] if opt_in else NULL}\t{stamp[today - int(r() * 501)]}\t"
            f"{stamp[today - 1 - int(r() * 300)] if cancelled else NULL}\t"
            f"{'Cancelled by the holder' if cancelled else ''}\t{path}\t{parent_depth + 1}"
        )
        members.names.append(name)
        members.postal.append(code)
        members.country.append(country)
    written = accounts.finish()
    bar.close()
    return written, members


def write_cards(plan: Plan, start: Start, members: Members) -> int:
    """Saved cards (sandbox-style tokens, never card numbers) and the gateway's copy of each."""
    rng = phase_rng(plan.seed, "cards")
    r = rng.random
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
    )
    gateway = Table(SandboxCard, ["id", "token", "brand", "last4", "exp_month", "exp_year"])
    cid, gid = start.ids["card"], start.ids["gateway_card"]
    month = plan.as_of.year * 12 + plan.as_of.month - 1
    card = members.card
    for i, (state, kind) in enumerate(zip(plan.sub, plan.kind, strict=True)):
        if state == NO_SUB and (kind == RETAIL or r() > 0.25):
            card.append(0)
            continue
        roll = r()
        ahead = -1 - int(r() * 10) if roll < 0.04 else int(r() * 2) if roll < 0.07 else 3 + int(r() * 58)
        year, month0 = divmod(month + ahead, 12)
        details = (
            f"tok_seed{plan.seed}_{cid:010d}\t{CARD_BRANDS[int(r() * 5)]}\t{int(r() * 10000):04d}\t"
            f"{month0 + 1}\t{year}"
        )
        cards.add_text(f"{cid}\t{start.base_id + i}\t{details}\t{members.names[i]}\t{members.postal[i]}\tt")
        gateway.add_text(f"{gid}\t{details}")
        card.append(cid)
        cid += 1
        gid += 1
    gateway.finish()
    return cards.finish()
