"""seed_demo: a small realistic company, deterministic per seed, idempotent with --if-empty."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.genealogy import upline_ids
from accounts.models import (
    Account,
    CommissionEntry,
    CommissionKind,
    Order,
    OrderLine,
    PaidRank,
    SavedCard,
    Sponsorship,
    Subscription,
)
from accounts.paths import paths_rebuild
from accounts.selectors import qualified_lead_sponsors
from plexus_office.platform.models import SandboxCharge
from tests.factories import AmbassadorFactory

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 3, 10)


def seed(*extra):
    out = io.StringIO()
    call_command(
        "seed_demo",
        "--accounts",
        "300",
        "--seed",
        "7",
        "--as-of",
        "2026-03-10",
        "--no-progress",
        "--json",
        *extra,
        stdout=out,
    )
    return json.loads(out.getvalue()) if out.getvalue().startswith("{") else out.getvalue()


def test_seed_builds_a_company_with_the_expected_shape():
    result = seed()

    assert result["counts"]["accounts"] == 300
    assert Account.objects.filter(is_corporate=False).count() == 300
    # Every member has exactly one open sponsorship period.
    assert Sponsorship.objects.filter(valid_to__isnull=True, account__is_corporate=False).count() == 300
    assert Account.objects.filter(sponsor__number=2).count() == 30
    assert qualified_lead_sponsors(as_of=AS_OF).count() == 1
    leader = Account.objects.get(user__username="leader")
    assert qualified_lead_sponsors(as_of=AS_OF).get() == leader
    deepest = Account.objects.get(number=leader.number + 29)
    assert len(upline_ids(account_id=deepest.pk)) == 30  # 29 above it in the line, the leader, the root
    assert not SavedCard.objects.exclude(token__startswith="tok_seed7_").exists()
    assert Order.objects.filter(ordered_on__gt=AS_OF).count() == 0


def _company() -> dict[str, list[tuple]]:
    """Every seeded table's business columns (ids differ between runs: --replace deletes, keys go on)."""
    return {
        "accounts": list(
            Account.objects.filter(is_corporate=False).values_list(
                "number",
                "name",
                "email",
                "sponsor__number",
                "kind",
                "title_rank",
                "mailing_postal_code",
                "membership_fee_due_on",
                "info_reviewed_at",
                "path",
            )
        ),
        "orders": list(
            Order.objects.order_by("pk").values_list(
                "account__number", "ordered_on", "shipping", "subscription_order", "perk_credits_earned"
            )
        ),
        "lines": list(OrderLine.objects.order_by("pk").values_list("product__sku", "qty", "unit_price")),
        "commissions": list(
            CommissionEntry.objects.order_by("pk").values_list("earner__number", "kind", "amount", "paid_on")
        ),
        "cards": list(SavedCard.objects.order_by("pk").values_list("account__number", "brand", "exp_year")),
        "subscriptions": list(
            Subscription.objects.order_by("pk").values_list(
                "account__number", "status", "pv", "next_charge_on"
            )
        ),
        "paid_ranks": list(PaidRank.objects.order_by("pk").values_list("account__number", "month", "rank")),
    }


def test_same_seed_gives_the_same_company():
    seed()
    first = _company()
    seed("--replace")
    second = _company()

    assert first == second
    assert all(first.values())  # every table was written


def test_seeded_amounts_add_up():
    seed()

    def lines_of(order):
        return sum((line.unit_price * line.qty for line in order.lines.all()), Decimal("0.00"))

    # The gateway charged each order its lines plus shipping; a commission is its rate of the lines.
    orders = Order.objects.prefetch_related("lines").order_by("pk")[:100]
    charged = dict(SandboxCharge.objects.values_list("charge_id", "amount"))
    assert [charged[o.charge_id] for o in orders] == [lines_of(o) + o.shipping for o in orders]
    entries = CommissionEntry.objects.select_related("order").order_by("pk")[:100]
    assert len(entries) == 100
    for entry in entries:
        rate = Decimal("0.10") if entry.kind == CommissionKind.VIP_CUSTOMER_BONUS else Decimal("0.05")
        assert entry.amount == (lines_of(entry.order) * rate).quantize(Decimal("0.01"))


def test_if_empty_does_nothing_when_members_exist():
    AmbassadorFactory()

    output = seed("--if-empty")

    assert "1 member accounts already exist; nothing done" in output
    assert Account.objects.filter(is_corporate=False).count() == 1


def test_seeding_over_members_without_replace_is_refused_and_changes_nothing():
    AmbassadorFactory()

    with pytest.raises(CommandError, match="--replace: member accounts already exist"):
        seed()

    assert Account.objects.filter(is_corporate=False).count() == 1


def test_too_few_accounts_is_refused_naming_the_option():
    with pytest.raises(CommandError, match="--accounts: at least 50, got 10"):
        call_command("seed_demo", "--accounts", "10")


def test_seeded_paths_are_those_the_sponsors_give():
    seed()
    written = dict(Account.objects.values_list("number", "path"))
    depths = dict(Account.objects.values_list("number", "depth"))
    paths_rebuild()
    assert dict(Account.objects.values_list("number", "path")) == written
    assert dict(Account.objects.values_list("number", "depth")) == depths
