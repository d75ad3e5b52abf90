"""Builders for the autoship, orders and pay tests: members whose cards exist at the sandbox gateway."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import cast

from accounts.models import Account, SavedCard, Subscription
from accounts.models_billing import SubscriptionItem
from plexus_office.platform.gateway import get_gateway
from tests.factories import AmbassadorFactory, ProductFactory, UserFactory

GOOD = "4242424242424242"
DECLINES = "4000000000000341"  # added fine, every charge declined


def products():
    """SLIM 89.95 / 60 PV and LEAN 49.95 / 45 PV (get_or_create by sku)."""
    slim = ProductFactory(sku="SLIM", name="Slim", price=Decimal("89.95"), pv=60)
    lean = ProductFactory(sku="LEAN", name="Lean", price=Decimal("49.95"), pv=45)
    return slim, lean


def gateway_card(
    account: Account, number: str = GOOD, *, exp_year: int = 2030, default: bool = True
) -> SavedCard:
    token = get_gateway().tokenize(
        number=number,
        exp_month=12,
        exp_year=exp_year,
        cvv="123",
        holder_name=account.name,
        postal_code="85251",
    )
    return SavedCard.objects.create(
        account=account,
        token=token.token,
        brand=token.brand,
        last4=token.last4,
        exp_month=token.exp_month,
        exp_year=token.exp_year,
        holder_name=account.name,
        billing_postal_code="85251",
        is_default=default,
    )


def subscriber(
    number: int,
    *,
    card_number: str = GOOD,
    charge_day: int = 10,
    next_charge_on: date | None = date(2026, 3, 10),
    items: tuple[tuple[str, int], ...] = (("SLIM", 1), ("LEAN", 1)),
    username: str | None = None,
) -> Account:
    """An ambassador with a login, a complete shipping address and an active subscription of ``items``."""
    slim, lean = products()
    by_sku = {"SLIM": slim, "LEAN": lean}
    user = UserFactory(username=username or f"member{number}")
    account = cast(
        Account,
        AmbassadorFactory(
            number=number,
            user=user,
            name=f"Member {number}",
            email=f"m{number}@example.com",
            shipping_street="1 Main St",
            shipping_city="Scottsdale",
            shipping_region="AZ",
            shipping_postal_code="85251",
            shipping_country="US",
        ),
    )
    card = gateway_card(account, card_number)
    subscription = Subscription.objects.create(
        account=account,
        status="active",
        pv=sum(by_sku[s].pv * q for s, q in items),
        card=card,
        started_on=date(2025, 1, 10),
        charge_day=charge_day,
        next_charge_on=next_charge_on,
    )
    for sku, qty in items:
        SubscriptionItem.objects.create(subscription=subscription, product=by_sku[sku], qty=qty)
    return account
