"""Builders of demo rows shared by the demo logins and the demo prospect path.

Each finds its row again (by username, account number, order ref) before creating it, so the
callers stay idempotent. The password is the public demo password from the README.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from accounts.models import (
    Account,
    Order,
    OrderLine,
    SavedCard,
    SponsorChangeReason,
    Sponsorship,
    Subscription,
)
from operations.seed.rows import catalogue
from plexus_office import clock
from plexus_office.platform.gateway import CardToken, get_gateway

DEMO_PASSWORD = "plexus-demo-2026"


def _test_visa(account: Account) -> CardToken:
    """The sandbox's succeeding Visa in the account holder's name, valid three more years."""
    return get_gateway().tokenize(
        number="4242424242424242",
        exp_month=12,
        exp_year=clock.today().year + 3,
        cvv="123",
        holder_name=account.name,
        postal_code=account.mailing_postal_code,
    )


def demo_user(
    username: str, *, email: str, first: str, last: str, staff: bool = False, superuser: bool = False
):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
    user.email, user.first_name, user.last_name = email, first, last
    user.is_staff, user.is_superuser, user.is_active = staff or superuser, superuser, True
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def demo_link(account: Account, username: str) -> dict[str, Any]:
    first, _, last = account.name.partition(" ")
    user = demo_user(username, email=account.email, first=first, last=last)
    Account.objects.filter(user=user).exclude(pk=account.pk).update(user=None)
    Account.objects.filter(pk=account.pk).update(user=user)
    return {"username": username, "password": DEMO_PASSWORD, "account": account.number}


def demo_member(
    number: int, *, kind: str, sponsor: Account, name: str, enrolled_days_ago: int, **fields
) -> Account:
    today = clock.today()
    account = Account.objects.filter(number=number).first()
    if account is not None:
        return account
    first, last = name.split(" ", 1)
    enrolled = today - timedelta(days=enrolled_days_ago)
    account = Account.objects.create(
        number=number,
        kind=kind,
        sponsor=sponsor,
        enrolled_on=enrolled,
        name=name,
        email=f"{first}.{last}.{number}@example.com".lower(),
        phone="+14805550100",
        country="US",
        mailing_street="7373 N Scottsdale Rd",
        mailing_unit="Suite 200",
        mailing_city="Scottsdale",
        mailing_region="AZ",
        mailing_postal_code="85253",
        mailing_country="US",
        shipping_street="7373 N Scottsdale Rd",
        shipping_unit="Suite 200",
        shipping_city="Scottsdale",
        shipping_region="AZ",
        shipping_postal_code="85253",
        shipping_country="US",
        info_reviewed_at=clock.now(),
        **fields,
    )
    Sponsorship.objects.create(
        account=account,
        sponsor=sponsor,
        valid_from=enrolled,
        reason=SponsorChangeReason.ENROLLMENT,
        personal=True,
    )
    return account


def demo_card(account: Account) -> SavedCard:
    existing = account.cards.filter(removed_at__isnull=True).first()
    if existing is not None:
        return existing

    token = _test_visa(account)
    return SavedCard.objects.create(
        account=account,
        token=token.token,
        brand=token.brand,
        last4=token.last4,
        exp_month=token.exp_month,
        exp_year=token.exp_year,
        holder_name=account.name,
        billing_postal_code=account.mailing_postal_code,
        is_default=True,
    )


def demo_subscription(account: Account, *, pv: int, card: SavedCard | None) -> None:
    Subscription.objects.get_or_create(
        account=account,
        defaults={"status": "active", "pv": pv, "card": card, "started_on": account.enrolled_on},
    )


def demo_order(
    account: Account,
    *,
    ref: str,
    days_ago: int,
    pickup: bool = False,
    subscription: bool = False,
    card: SavedCard | None = None,
    sold_by: Account | None = None,
    skus: tuple[str, ...] = ("SLIM", "PROBIO5"),
) -> None:
    order = Order.objects.filter(ref=ref).first()
    if order is None:
        products = {p.sku: p for p in catalogue()}
        order = Order.objects.create(
            ref=ref,
            account=account,
            ordered_on=clock.today() - timedelta(days=days_ago),
            country="US",
            fulfillment="pickup" if pickup else "ship",
            shipping=Decimal("0.00") if pickup else Decimal("7.95"),
            subscription_order=subscription,
            card=card,
            sold_by=sold_by,
        )
        for sku in skus:
            product = products[sku]
            OrderLine.objects.create(
                order=order, product=product, qty=1, unit_price=product.price, pv=product.pv
            )
    if not order.charge_id:
        _charge(order, card)


def _charge(order: Order, card: SavedCard | None) -> None:
    """The order's original charge, so every demo refund can be paid back to it (same key: once).

    Without a saved card the member paid with one not kept on file: a one-off token pays.
    """
    gateway = get_gateway()
    token = card.token if card is not None else _test_visa(order.account).token
    total = order.shipping + sum((line.unit_price * line.qty for line in order.lines.all()), Decimal("0.00"))
    charge = gateway.charge(token=token, amount=total, idempotency_key=f"demo-order-{order.ref}")
    Order.objects.filter(pk=order.pk).update(charge_id=charge.id)
