"""Builders for the refunds tests: a member with a paid order, staff of each group, a paid charge."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from plexus_office import clock
from plexus_office.platform.gateway import get_gateway
from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE, RETURNS
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory, UserFactory, VipCustomerFactory

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(TODAY):
        yield


def staff_user(group: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


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


def paid_charge(amount: Decimal, key: str) -> str:
    gateway = get_gateway()
    card = gateway.tokenize(
        number="4242424242424242",
        exp_month=12,
        exp_year=2030,
        cvv="123",
        holder_name="Vera Vip",
        postal_code="85001",
    )
    return gateway.charge(token=card.token, amount=amount, idempotency_key=key).id


@pytest.fixture
def order(member, slim):
    made = OrderFactory(
        ref="O-1", account=member, ordered_on=date(2026, 2, 1), country="US", shipping=Decimal("7.95")
    )
    OrderLineFactory(order=made, product=slim, qty=1, unit_price=Decimal("89.95"), pv=60)
    made.charge_id = paid_charge(Decimal("97.90"), "order-O-1")
    made.save(update_fields=["charge_id"])
    return made
