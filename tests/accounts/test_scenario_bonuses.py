"""Scenario orders may carry the bonuses they earned, tied to the order (refunds reverse them)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import CommissionEntry
from operations.scenario import ScenarioError, load, validate

pytestmark = pytest.mark.django_db


def _scenario(bonuses):
    return {
        "as_of": "2026-03-10",
        "products": [{"sku": "SLIM", "name": "Slim", "price": "89.95", "pv": 60}],
        "accounts": [
            {"number": 1001, "kind": "ambassador", "sponsor": 1, "enrolled_on": "2025-01-01"},
            {
                "number": 1002,
                "kind": "vip_customer",
                "sponsor": 1001,
                "enrolled_on": "2025-06-01",
                "orders": [
                    {
                        "ref": "O-1",
                        "date": "2026-02-01",
                        "lines": [{"sku": "SLIM", "qty": 1}],
                        "bonuses": bonuses,
                    }
                ],
            },
        ],
    }


def test_an_orders_bonuses_are_loaded_tied_to_it():
    load(
        validate(
            _scenario([{"earner": 1001, "kind": "vip_customer_bonus", "amount": "8.99", "status": "paid"}])
        )
    )

    entry = CommissionEntry.objects.get()
    assert (entry.earner.number, entry.order.ref, entry.amount, entry.status) == (
        1001,
        "O-1",
        Decimal("8.99"),
        "paid",
    )


def test_a_bonus_for_an_unknown_earner_is_refused_naming_the_field():
    with pytest.raises(ScenarioError, match="field 'bonuses': unknown earner 4242"):
        validate(_scenario([{"earner": 4242, "amount": "1.00"}]))
    assert CommissionEntry.objects.count() == 0
