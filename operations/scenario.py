"""Load a scenario file (scenarios.md): validate everything first, then replace member data atomically."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.history import moment_of
from accounts.models import (
    CORPORATE_ROOT_NUMBER,
    CORPORATE_SPONSOR_NUMBER,
    Account,
    AccountKind,
    AccountStatus,
    CommissionEntry,
    CommissionKind,
    Fulfillment,
    Order,
    OrderLine,
    PaidRank,
    Product,
    Rank,
    SponsorChangeReason,
    Sponsorship,
    Subscription,
    SubscriptionStatus,
)
from accounts.paths import paths_rebuild
from plexus_office.commands import date_in_range_error
from plexus_office.dates import parse_month
from plexus_office.platform.models import SandboxCharge, SandboxRefund
from refunds.models import Refund, RefundLine  # the refunds app owns those models

CORPORATE = (CORPORATE_ROOT_NUMBER, CORPORATE_SPONSOR_NUMBER)
# Scenario orders count as paid by card: each gets its original charge at the sandbox gateway.
SCENARIO_CHARGE_PREFIX = "ch_scenario_"


class ScenarioError(ValueError):
    """One clear line naming the account (or section) and the field."""


@dataclass
class Scenario:
    as_of: date | None
    products: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)


def _bonuses(raw: Any, where: str) -> list[dict[str, Any]]:
    """Optional order field ``bonuses``: what the order earned whom, e.g.
    ``[{"earner": 1001, "kind": "vip_customer_bonus", "amount": "8.99", "status": "paid"}]``."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ScenarioError(f"{where}: field 'bonuses' must be a list")
    out = []
    for index, item in enumerate(raw):
        b_where = f"{where}, bonus {index + 1}"
        if not isinstance(item, dict):
            raise ScenarioError(f"{b_where}: must be a JSON object")
        kinds = [k for k in CommissionKind.values if k != CommissionKind.ADJUSTMENT]
        out.append(
            {
                "earner": _int(item.get("earner"), b_where, "earner", minimum=1),
                "kind": _choice(item.get("kind"), kinds, b_where, "kind", default=CommissionKind.COMMISSION),
                "amount": _money(item.get("amount"), b_where, "amount"),
                "status": _choice(
                    item.get("status"), ["unpaid", "paid"], b_where, "status", default="unpaid"
                ),
            }
        )
    return out


def _where(number: Any) -> str:
    return f"account {number}"


def _date(value: Any, where: str, name: str, *, required: bool = False) -> date | None:
    if value is None:
        if required:
            raise ScenarioError(f"{where}: field '{name}' is required (YYYY-MM-DD)")
        return None
    try:
        day = date.fromisoformat(str(value)) if isinstance(value, str) and len(value) == 10 else _bad()
    except ValueError:
        raise ScenarioError(f"{where}: field '{name}': bad date {value!r} (expected YYYY-MM-DD)") from None
    problem = date_in_range_error(day, field=f"{where}: field '{name}'")
    if problem:
        raise ScenarioError(problem)
    return day


def _bad() -> date:
    raise ValueError


def _money(value: Any, where: str, name: str, *, default: str | None = None) -> Decimal:
    if value is None and default is not None:
        return Decimal(default)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ScenarioError(
            f"{where}: field '{name}': bad amount {value!r} (expected a string like \"7.95\")"
        ) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ScenarioError(f"{where}: field '{name}': bad amount {value!r} (non-negative, two decimals)")
    return amount.quantize(Decimal("0.01"))


def _int(value: Any, where: str, name: str, *, default: int | None = None, minimum: int = 0) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ScenarioError(f"{where}: field '{name}': expected a whole number >= {minimum}, got {value!r}")
    return value


def _rank(value: Any, where: str, name: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ScenarioError(f"{where}: field '{name}': unknown rank {value!r}")
    try:
        return int(Rank.from_label(value))
    except ValueError:
        raise ScenarioError(f"{where}: field '{name}': unknown rank {value!r}") from None


def _choice(value: Any, choices: list[str], where: str, name: str, *, default: str | None = None) -> str:
    if value is None and default is not None:
        return default
    if value not in choices:
        raise ScenarioError(f"{where}: field '{name}': {value!r} is not one of {', '.join(choices)}")
    return str(value)


def _bool(value: Any, where: str, name: str, *, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ScenarioError(f"{where}: field '{name}': expected true or false, got {value!r}")
    return value


def read_scenario(path: str | Path) -> dict[str, Any]:
    file = Path(path)
    if not file.exists():
        raise ScenarioError(f"file {str(path)!r}: not found")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            f"file {str(path)!r}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except UnicodeDecodeError:
        raise ScenarioError(f"file {str(path)!r}: not UTF-8 text") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"file {str(path)!r}: the top level must be a JSON object")
    return data


def validate(data: dict[str, Any]) -> dict[str, Any]:
    """Check the whole file and return normalised records; raise ScenarioError on the first problem."""
    as_of = _date(data.get("as_of"), "scenario", "as_of")
    products: dict[str, dict[str, Any]] = {}
    raw_products = data.get("products", [])
    if not isinstance(raw_products, list):
        raise ScenarioError("scenario: field 'products' must be a list")
    for index, raw in enumerate(raw_products):
        where = f"product {index + 1}"
        if not isinstance(raw, dict) or not isinstance(raw.get("sku"), str) or not raw["sku"].strip():
            raise ScenarioError(f"{where}: field 'sku' is required")
        sku = raw["sku"]
        where = f"product {sku}"
        if sku in products:
            raise ScenarioError(f"{where}: field 'sku' is listed twice")
        products[sku] = {
            "sku": sku,
            "name": str(raw.get("name") or sku),
            "price": _money(raw.get("price"), where, "price"),
            "pv": _int(raw.get("pv"), where, "pv", default=0),
        }

    raw_accounts = data.get("accounts", [])
    if not isinstance(raw_accounts, list):
        raise ScenarioError("scenario: field 'accounts' must be a list")
    accounts: dict[int, dict[str, Any]] = {}
    order_refs: dict[str, int] = {}
    live_emails: dict[str, int] = {}
    for index, raw in enumerate(raw_accounts):
        if not isinstance(raw, dict):
            raise ScenarioError(f"account entry {index + 1}: must be a JSON object")
        number = raw.get("number")
        if isinstance(number, bool) or not isinstance(number, int) or number <= 0:
            raise ScenarioError(f"account entry {index + 1}: field 'number' must be a positive whole number")
        where = _where(number)
        if number in CORPORATE:
            raise ScenarioError(f"{where}: field 'number': accounts 1 and 2 are corporate and always exist")
        if number in accounts:
            raise ScenarioError(f"{where}: field 'number' is listed twice")
        kind = _choice(raw.get("kind"), list(AccountKind.values), where, "kind")
        enrolled_on = _date(raw.get("enrolled_on"), where, "enrolled_on", required=True)
        sponsor = raw.get("sponsor")
        if isinstance(sponsor, bool) or not isinstance(sponsor, int):
            raise ScenarioError(f"{where}: field 'sponsor' must be an account number")
        ambassador_only = ("title_rank", "paid_ranks", "membership_fee_due_on", "last_lead_batch_on")
        if kind != AccountKind.AMBASSADOR:
            for key in ambassador_only:
                if raw.get(key) not in (None, {}):
                    raise ScenarioError(f"{where}: field '{key}' is for ambassadors only")
        paid_ranks: dict[date, int] = {}
        raw_paid = raw.get("paid_ranks") or {}
        if not isinstance(raw_paid, dict):
            raise ScenarioError(f"{where}: field 'paid_ranks' must map YYYY-MM to a rank")
        for month, rank in raw_paid.items():
            try:
                month_day = parse_month(month)
            except ValueError:
                raise ScenarioError(
                    f"{where}: field 'paid_ranks': bad month {month!r} (expected YYYY-MM)"
                ) from None
            month_rank = _rank(rank, where, f"paid_ranks.{month}")
            if month_rank is not None:  # null means "not paid that month": no row
                paid_ranks[month_day] = month_rank
        subscription = raw.get("subscription")
        if subscription is not None:
            if not isinstance(subscription, dict):
                raise ScenarioError(f"{where}: field 'subscription' must be null or an object")
            subscription = {
                "status": _choice(
                    subscription.get("status"), list(SubscriptionStatus.values), where, "subscription.status"
                ),
                "pv": _int(subscription.get("pv"), where, "subscription.pv", default=0),
            }
        country = raw.get("country") or "US"
        if not isinstance(country, str) or len(country) != 2 or not country.isalpha():
            raise ScenarioError(
                f"{where}: field 'country': expected a two-letter country code, got {country!r}"
            )
        orders = []
        raw_orders = raw.get("orders") or []
        if not isinstance(raw_orders, list):
            raise ScenarioError(f"{where}: field 'orders' must be a list")
        for o_index, raw_order in enumerate(raw_orders):
            if (
                not isinstance(raw_order, dict)
                or not isinstance(raw_order.get("ref"), str)
                or not raw_order["ref"]
            ):
                raise ScenarioError(f"{where}: field 'orders[{o_index}].ref' is required")
            ref = raw_order["ref"]
            o_where = f"{where}, order {ref}"
            if ref in order_refs:
                raise ScenarioError(f"{o_where}: field 'ref' is used twice")
            order_refs[ref] = number
            fulfillment = _choice(
                raw_order.get("fulfillment"),
                list(Fulfillment.values),
                o_where,
                "fulfillment",
                default=Fulfillment.SHIP,
            )
            lines = []
            raw_lines = raw_order.get("lines") or []
            if not isinstance(raw_lines, list) or not raw_lines:
                raise ScenarioError(f"{o_where}: field 'lines' must list at least one line")
            for l_index, raw_line in enumerate(raw_lines):
                l_where = f"{o_where}, line {l_index + 1}"
                if not isinstance(raw_line, dict):
                    raise ScenarioError(f"{l_where}: must be a JSON object")
                sku = raw_line.get("sku")
                if not isinstance(sku, str) or sku not in products:
                    raise ScenarioError(f"{l_where}: field 'sku': unknown product {sku!r}")
                lines.append(
                    {
                        "sku": sku,
                        "qty": _int(raw_line.get("qty"), l_where, "qty", default=1, minimum=1),
                        "price": _money(raw_line.get("price"), l_where, "price")
                        if raw_line.get("price") is not None
                        else products[sku]["price"],
                        "pv": _int(raw_line.get("pv"), l_where, "pv", default=products[sku]["pv"]),
                    }
                )
            order_country = raw_order.get("country") or country
            if not isinstance(order_country, str) or len(order_country) != 2:
                raise ScenarioError(f"{o_where}: field 'country': expected a two-letter country code")
            orders.append(
                {
                    "ref": ref,
                    "date": _date(raw_order.get("date"), o_where, "date", required=True),
                    "fulfillment": fulfillment,
                    "picked_up": _bool(raw_order.get("picked_up"), o_where, "picked_up", default=False),
                    "subscription_order": _bool(
                        raw_order.get("subscription_order"), o_where, "subscription_order", default=False
                    ),
                    "shipping": _money(raw_order.get("shipping"), o_where, "shipping", default="0.00"),
                    "country": order_country.upper(),
                    "lines": lines,
                    "bonuses": _bonuses(raw_order.get("bonuses"), o_where),
                    # Scenario orders were paid by card unless the file says otherwise (scenarios.md).
                    "original_payment": _bool(
                        raw_order.get("original_payment"), o_where, "original_payment", default=True
                    ),
                }
            )
        email = raw.get("email") or ""
        if not isinstance(email, str) or (email and "@" not in email):
            raise ScenarioError(f"{where}: field 'email': not an email address: {email!r}")
        status = _choice(
            raw.get("status"), list(AccountStatus.values), where, "status", default=AccountStatus.ACTIVE
        )
        # Live accounts share no email (a database constraint): say so here, not as an IntegrityError.
        if email and status == AccountStatus.ACTIVE:
            if email.lower() in live_emails:
                owner = live_emails[email.lower()]
                raise ScenarioError(
                    f"{where}: field 'email': {email!r} is already used by live account {owner}"
                )
            live_emails[email.lower()] = number
        cancelled_on = _date(raw.get("cancelled_on"), where, "cancelled_on")
        if cancelled_on is not None and status != AccountStatus.CANCELLED:
            raise ScenarioError(f"{where}: field 'cancelled_on' is for accounts with status cancelled")
        if cancelled_on is not None and enrolled_on is not None and cancelled_on < enrolled_on:
            raise ScenarioError(
                f"{where}: field 'cancelled_on': {cancelled_on} is before enrolled_on {enrolled_on}"
            )
        accounts[number] = {
            "number": number,
            "cancelled_on": cancelled_on,
            "kind": kind,
            "sponsor": sponsor,
            "personal": _bool(raw.get("personally_sponsored"), where, "personally_sponsored", default=True),
            "enrolled_on": enrolled_on,
            "listed_under_2_on": _date(raw.get("listed_under_2_on"), where, "listed_under_2_on"),
            "status": status,
            "country": country.upper(),
            "name": str(raw.get("name") or f"Member {number}"),
            "email": email,
            "title_rank": _rank(raw.get("title_rank"), where, "title_rank"),
            "paid_ranks": paid_ranks,
            "subscription": subscription,
            "membership_fee_due_on": _date(raw.get("membership_fee_due_on"), where, "membership_fee_due_on"),
            "last_lead_batch_on": _date(raw.get("last_lead_batch_on"), where, "last_lead_batch_on"),
            "orders": orders,
        }
    for number, record in accounts.items():
        sponsor = record["sponsor"]
        if sponsor == number:
            raise ScenarioError(f"{_where(number)}: field 'sponsor': an account cannot sponsor itself")
        if sponsor not in accounts and sponsor not in CORPORATE:
            raise ScenarioError(f"{_where(number)}: field 'sponsor': unknown account {sponsor}")
    for number, record in accounts.items():
        for order in record["orders"]:
            for bonus in order["bonuses"]:
                if bonus["earner"] not in accounts:
                    raise ScenarioError(
                        f"{_where(number)}, order {order['ref']}: field 'bonuses': "
                        f"unknown earner {bonus['earner']}"
                    )
    for number in accounts:
        seen = {number}
        current = accounts[number]["sponsor"]
        while current in accounts:
            if current in seen:
                raise ScenarioError(
                    f"{_where(number)}: field 'sponsor': sponsor loop through account {current}"
                )
            seen.add(current)
            current = accounts[current]["sponsor"]

    refunds = []
    raw_refunds = data.get("refunds", [])
    if not isinstance(raw_refunds, list):
        raise ScenarioError("scenario: field 'refunds' must be a list")
    statuses = ["requested", "authorized", "received", "refunded", "rejected", "expired"]
    for index, raw in enumerate(raw_refunds):
        where = f"refund {index + 1}"
        if not isinstance(raw, dict):
            raise ScenarioError(f"{where}: must be a JSON object")
        number = raw.get("account")
        if isinstance(number, bool) or not isinstance(number, int) or number not in accounts:
            raise ScenarioError(f"{where}: field 'account': unknown account {number!r}")
        where = f"refund {index + 1} (account {number})"
        ref = raw.get("order")
        if not isinstance(ref, str) or order_refs.get(ref) != number:
            raise ScenarioError(f"{where}: field 'order': account {number} has no order {ref!r}")
        order = next(o for o in accounts[number]["orders"] if o["ref"] == ref)
        skus = {line["sku"] for line in order["lines"]}
        if not isinstance(raw.get("sku"), str) or raw["sku"] not in skus:
            raise ScenarioError(f"{where}: field 'sku': {raw.get('sku')!r} is not on order {ref}")
        refunds.append(
            {
                "account": number,
                "order": ref,
                "sku": raw["sku"],
                "reason": _choice(
                    raw.get("reason"),
                    ["money_back", "satisfaction", "store_pickup"],
                    where,
                    "reason",
                    default="money_back",
                ),
                "requested_on": _date(raw.get("requested_on"), where, "requested_on", required=True),
                "status": _choice(raw.get("status"), statuses, where, "status", default="requested"),
            }
        )
    return {"as_of": as_of, "products": products, "accounts": accounts, "refunds": refunds}


def _wipe_member_data() -> None:
    """Remove every member and what hangs off them; corporate accounts 1 and 2 and staff users stay."""
    User = get_user_model()
    member_user_ids = list(
        Account.objects.exclude(number__in=CORPORATE)
        .exclude(user__isnull=True)
        .filter(user__is_staff=False)
        .values_list("user_id", flat=True)
    )
    # Reset the corporate accounts' sponsored links first, so deleting members never trips a PROTECT.
    Account.objects.exclude(number__in=CORPORATE).update(sponsor=None)
    Account.objects.exclude(number__in=CORPORATE).delete()
    for model in apps.get_models():
        # Member-owned rows of other apps that point at the corporate accounts go too (leads runs etc.).
        if getattr(model, "SCENARIO_RESET", False):
            model._default_manager.all().delete()
    User.objects.filter(pk__in=member_user_ids).delete()
    Product.objects.all().delete()
    # The original charges an earlier scenario put at the sandbox gateway (and refunds of them).
    SandboxRefund.objects.filter(charge__charge_id__startswith=SCENARIO_CHARGE_PREFIX).delete()
    SandboxCharge.objects.filter(charge_id__startswith=SCENARIO_CHARGE_PREFIX).delete()


@transaction.atomic
def load(data: dict[str, Any]) -> dict[str, int]:
    """Replace all member data with the validated scenario ``data``."""
    _wipe_member_data()
    root = Account.objects.get(number=CORPORATE_ROOT_NUMBER)
    orphan = Account.objects.get(number=CORPORATE_SPONSOR_NUMBER)
    Account.objects.filter(pk=orphan.pk).update(last_lead_batch_on=None)
    products = {
        p.sku: p
        for p in Product.objects.bulk_create(Product(**record) for record in data["products"].values())
    }
    records = data["accounts"]
    created = Account.objects.bulk_create(
        Account(
            number=r["number"],
            kind=r["kind"],
            status=r["status"],
            # The day of cancellation as a moment (noon, like the frozen clock); none means "always".
            cancelled_at=moment_of(r["cancelled_on"]) if r["cancelled_on"] else None,
            enrolled_on=r["enrolled_on"],
            country=r["country"],
            name=r["name"],
            email=r["email"],
            title_rank=r["title_rank"],
            membership_fee_due_on=r["membership_fee_due_on"],
            last_lead_batch_on=r["last_lead_batch_on"],
            personally_enrolled=r["personal"],
            mailing_country=r["country"],
            shipping_country=r["country"],
        )
        for r in records.values()
    )
    by_number = {a.number: a for a in created}
    by_number[CORPORATE_ROOT_NUMBER] = root
    by_number[CORPORATE_SPONSOR_NUMBER] = orphan
    if any(a.pk is None for a in created):  # backends without RETURNING on bulk insert
        by_number.update(Account.objects.in_bulk([a.number for a in created], field_name="number"))
    to_update = []
    history = []
    for number, r in records.items():
        account = by_number[number]
        account.sponsor = by_number[r["sponsor"]]
        if r["sponsor"] == CORPORATE_SPONSOR_NUMBER:
            account.listed_under_2_on = r["listed_under_2_on"] or r["enrolled_on"]
        to_update.append(account)
        history.append(
            Sponsorship(
                account=account,
                sponsor=account.sponsor,
                # From enrolled_on; under "2", from the listing when later (no sponsor before it).
                valid_from=max(account.listed_under_2_on or r["enrolled_on"], r["enrolled_on"]),
                reason=SponsorChangeReason.ENROLLMENT
                if r["personal"]
                else SponsorChangeReason.LEAD_PLACEMENT,
                personal=r["personal"],
            )
        )
    Account.objects.bulk_update(to_update, ["sponsor", "listed_under_2_on"])
    paths_rebuild()  # bulk writes bypass Account.save: the paths in one set-based pass
    Sponsorship.objects.bulk_create(history)
    PaidRank.objects.bulk_create(
        PaidRank(account=by_number[n], month=month, rank=rank)
        for n, r in records.items()
        for month, rank in r["paid_ranks"].items()
    )
    Subscription.objects.bulk_create(
        Subscription(
            account=by_number[n],
            status=r["subscription"]["status"],
            pv=r["subscription"]["pv"],
            started_on=r["enrolled_on"],
        )
        for n, r in records.items()
        if r["subscription"]
    )
    orders = {}
    for n, r in records.items():
        for o in r["orders"]:
            orders[o["ref"]] = Order(
                ref=o["ref"],
                account=by_number[n],
                ordered_on=o["date"],
                country=o["country"],
                fulfillment=o["fulfillment"],
                picked_up=o["picked_up"],
                shipping=o["shipping"],
                subscription_order=o["subscription_order"],
                charge_id=f"{SCENARIO_CHARGE_PREFIX}{o['ref']}" if o["original_payment"] else "",
            )
    Order.objects.bulk_create(orders.values())
    SandboxCharge.objects.bulk_create(
        SandboxCharge(
            charge_id=f"{SCENARIO_CHARGE_PREFIX}{o['ref']}",
            token=f"tok_scenario_{n}",
            amount=sum((Decimal(line["price"]) * line["qty"] for line in o["lines"]), o["shipping"]),
            idempotency_key=f"scenario-order-{o['ref']}",
        )
        for n, r in records.items()
        for o in r["orders"]
        if o["original_payment"]
    )
    if any(o.pk is None for o in orders.values()):
        orders = Order.objects.in_bulk(list(orders), field_name="ref")
    OrderLine.objects.bulk_create(
        OrderLine(
            order=orders[o["ref"]],
            product=products[line["sku"]],
            qty=line["qty"],
            unit_price=line["price"],
            pv=line["pv"],
        )
        for r in records.values()
        for o in r["orders"]
        for line in o["lines"]
    )
    # Bonuses earned by an order (optional in the format): tied to it so a refund reverses them.
    CommissionEntry.objects.bulk_create(
        CommissionEntry(
            earner=by_number[b["earner"]],
            kind=b["kind"],
            amount=b["amount"],
            order=orders[o["ref"]],
            status=b["status"],
            earned_on=o["date"],
            paid_on=o["date"] if b["status"] == "paid" else None,
        )
        for r in records.values()
        for o in r["orders"]
        for b in o["bonuses"]
    )
    # Each scenario refund is a return of one product: one refund with one line.
    made = []
    for f in data["refunds"]:
        order = orders[f["order"]]
        product = products[f["sku"]]
        paid = [
            line for o in records[f["account"]]["orders"] if o["ref"] == f["order"] for line in o["lines"]
        ]
        paid = [line for line in paid if line["sku"] == f["sku"]]
        gross = sum((Decimal(line["price"]) * line["qty"] for line in paid), Decimal("0.00"))
        pv = sum(line["pv"] * line["qty"] for line in paid)
        refund = Refund(
            account=by_number[f["account"]],
            order=order,
            reason=f["reason"],
            status=f["status"],
            requested_on=f["requested_on"],
            gross=gross,
            amount=gross,
            pv=pv,
        )
        line = RefundLine(
            account=by_number[f["account"]],
            product=product,
            qty=sum(line["qty"] for line in paid) or 1,
            gross=gross,
            pv=pv,
            counts=f["status"] not in ("rejected", "expired"),
            received=True if f["status"] in ("received", "refunded") else None,
        )
        made.append((refund, line))
    Refund.objects.bulk_create([refund for refund, _ in made])
    for refund, line in made:
        line.refund = refund  # PostgreSQL and SQLite both return the new ids from a bulk insert
    RefundLine.objects.bulk_create([line for _, line in made])
    return {
        "accounts": len(records),
        "products": len(products),
        "orders": len(orders),
        "refunds": len(data["refunds"]),
    }
