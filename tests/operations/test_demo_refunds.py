"""Demo data lets every refund flow be finished: every order has its original charge, and the demo
ambassador has retail sales of her own for /refunds/sales/."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from accounts.models import Order
from plexus_office import clock
from plexus_office.platform.models import SandboxCharge

pytestmark = pytest.mark.django_db


def test_every_seeded_and_demo_order_has_its_original_charge_at_the_gateway():
    call_command(
        "seed_demo",
        "--accounts",
        "300",
        "--seed",
        "7",
        "--as-of",
        "2026-03-10",
        "--no-progress",
        stdout=io.StringIO(),
    )
    call_command("demo_logins", stdout=io.StringIO())
    assert Order.objects.count() > 300
    assert Order.objects.filter(charge_id="").count() == 0
    charged = set(SandboxCharge.objects.values_list("charge_id", flat=True))
    assert set(Order.objects.values_list("charge_id", flat=True)) <= charged


def test_the_demo_ambassador_has_recent_retail_sales_to_refund():
    call_command("demo_logins", stdout=io.StringIO())
    recent = Order.objects.filter(
        sold_by__user__username="ambassador", ordered_on__gte=clock.today() - timedelta(days=60)
    )
    assert sorted(recent.values_list("ref", flat=True)) == ["DEMO-S-1", "DEMO-S-2"]
