"""Builders for the refunds tests: a member with a paid order, staff of each group, a paid charge."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from plexus_office import clock
from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE, RETURNS
from tests.factories import (  # noqa: F401 - paid_charge is shared with the refunds tests from here
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    StaffUserFactory,
    UserFactory,
    VipCustomerFactory,
    paid_charge,
)

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(TODAY):
        yield


def staff_user(group: str, username: str):
    return StaffUserFactory(username=username, groups=[group])


@pytest.fixture
def cs_user(db):
    return staff_user(CUSTOMER_SERVICE, "cs")


@pytest.fixture
def returns_user(db):
    return staff_user(RETURNS, "returns")


@pytest.fixture
def finance_user(db):
    return staff_user(FINANCE, "finance")


@pytest.fixture
def member(db):
    user = UserFactory(username="vip")
    return VipCustomerFactory(
        number=3001,
        user=user,
        name="Vera Vip",
        shipping_street="1 Main St",
        shipping_city="Phoenix",
        shipping_region="AZ",
        shipping_postal_code="85001",
        shipping_country="US",
    )


@pytest.fixture
def slim(db):
    return ProductFactory(sku="SLIM", name="Slim Microbiome Activation", price=Decimal("89.95"), pv=60)


@pytest.fixture
def order(member, slim):
    made = OrderFactory(
        ref="O-1", account=member, ordered_on=date(2026, 2, 1), country="US", shipping=Decimal("7.95")
    )
    OrderLineFactory(order=made, product=slim, qty=1, unit_price=Decimal("89.95"), pv=60)
    made.charge_id = paid_charge(Decimal("97.90"), "order-O-1")
    made.save(update_fields=["charge_id"])
    return made
