"""One return, several products: ``manage.py refund_quote`` with repeated ``--sku`` (scenarios.md)."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from operations.scenario import load, validate
from plexus_office.platform.models import SandboxCharge

pytestmark = pytest.mark.django_db

SCENARIO = {
    "as_of": "2026-03-10",
    "products": [
        {"sku": "SLIM", "name": "Slim Microbiome Activation", "price": "89.95", "pv": 60},
        {"sku": "ACTIVE", "name": "Active", "price": "49.95", "pv": 35},
        {"sku": "LEAN", "name": "Lean", "price": "59.95", "pv": 40},
    ],
    "accounts": [
        {
            "number": 1001,
            "kind": "ambassador",
            "sponsor": 1,
            "enrolled_on": "2019-01-10",
            "title_rank": "Ruby",
        },
        {
            "number": 3001,
            "kind": "vip_customer",
            "sponsor": 1001,
            "enrolled_on": "2024-05-01",
            "country": "US",
            "orders": [
                {"ref": "O-0", "date": "2025-10-01", "lines": [{"sku": "LEAN", "qty": 1, "price": "59.95"}]},
                {
                    "ref": "O-1",
                    "date": "2026-02-01",
                    "shipping": "9.95",
                    "lines": [
                        {"sku": "SLIM", "qty": 1, "price": "89.95"},
                        {"sku": "ACTIVE", "qty": 2, "price": "49.95"},
                        {"sku": "LEAN", "qty": 1, "price": "59.95"},
                    ],
                },
                {
                    "ref": "O-P",
                    "date": "2026-03-05",
                    "fulfillment": "pickup",
                    "lines": [
                        {"sku": "SLIM", "qty": 1, "price": "89.95"},
                        {"sku": "ACTIVE", "qty": 1, "price": "49.95"},
                    ],
                },
                {
                    "ref": "O-NOPAY",
                    "date": "2026-03-01",
                    "original_payment": False,
                    "lines": [{"sku": "ACTIVE", "qty": 1, "price": "49.95"}],
                },
            ],
        },
    ],
    "refunds": [
        {"account": 3001, "order": "O-0", "sku": "LEAN", "requested_on": "2025-10-20", "status": "refunded"}
    ],
}


@pytest.fixture
def scenario():
    load(validate(json.loads(json.dumps(SCENARIO))))


def quote(*args: str) -> dict:
    out = StringIO()
    call_command("refund_quote", "--account", "3001", *args, "--as-of", "2026-03-10", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_two_products_make_one_return_with_one_deduction(scenario):
    result = quote("--order", "O-1", "--sku", "SLIM", "--sku", "ACTIVE", "--reason", "money_back")
    assert (result["eligible"], result["amount"], result["deduction"], result["gross"]) == (
        True,
        "183.85",
        "6.00",
        "189.85",
    )
    assert [(line["sku"], line["eligible"], line["refusal"]) for line in result["lines"]] == [
        ("SLIM", True, None),
        ("ACTIVE", True, None),
    ]


def test_one_refused_product_refuses_the_return_with_its_code_and_says_which(scenario):
    result = quote(
        "--order", "O-1", "--sku", "SLIM", "--sku", "LEAN", "--sku", "NOPE", "--reason", "money_back"
    )
    assert (result["eligible"], result["refusal"], result["amount"], result["deduction"]) == (
        False,
        "already_refunded",
        "0.00",
        "0.00",
    )
    assert [(line["sku"], line["refusal"]) for line in result["lines"]] == [
        ("SLIM", None),
        ("LEAN", "already_refunded"),
        ("NOPE", "not_purchased"),
    ]


def test_the_refusal_is_the_first_refused_product_in_the_order_given(scenario):
    result = quote("--order", "O-1", "--sku", "NOPE", "--sku", "LEAN", "--reason", "money_back")
    assert result["refusal"] == "not_purchased"


def test_store_pickup_refunds_the_requested_lines_whole(scenario):
    result = quote("--order", "O-P", "--sku", "SLIM", "--sku", "ACTIVE", "--reason", "store_pickup")
    assert (result["eligible"], result["amount"], result["deduction"]) == (True, "139.90", "0.00")


def test_a_single_sku_still_prints_its_line(scenario):
    result = quote(
        "--order", "O-1", "--sku", "SLIM", "--reason", "money_back", "--return-method", "post_office"
    )
    assert (result["amount"], result["deduction"], len(result["lines"])) == ("89.95", "0.00", 1)


def test_the_same_sku_twice_is_bad_input(scenario):
    with pytest.raises(CommandError, match="--sku: SLIM given more than once"):
        quote("--order", "O-1", "--sku", "SLIM", "--sku", "SLIM", "--reason", "money_back")


def test_an_order_without_original_payment_is_refused_after_the_four_codes(scenario):
    assert quote("--order", "O-NOPAY", "--sku", "ACTIVE", "--reason", "money_back")["refusal"] == (
        "no_original_payment"
    )
    # not_pickup_order comes first
    assert quote("--order", "O-NOPAY", "--sku", "ACTIVE", "--reason", "store_pickup")["refusal"] == (
        "not_pickup_order"
    )


def test_scenario_orders_get_their_original_charge_at_the_gateway(scenario):
    charge = SandboxCharge.objects.get(charge_id="ch_scenario_O-1")
    assert charge.amount == Decimal("259.75")  # the lines and the shipping
    assert not SandboxCharge.objects.filter(charge_id="ch_scenario_O-NOPAY").exists()


def test_reloading_a_scenario_replaces_its_charges(scenario):
    load(validate(json.loads(json.dumps(SCENARIO))))
    assert SandboxCharge.objects.filter(charge_id__startswith="ch_scenario_").count() == 3
