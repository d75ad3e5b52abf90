"""Ship an order to someone else (dropship) without touching the saved shipping address."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from accounts.flags import flags_refresh
from accounts.models import Account, Order, OrderLine, Product, SavedCard
from accounts.selectors import card_is_valid
from accounts.selfservice.common import SelfServiceError, lock_live_account, require_holder
from accounts.subscriptions.charging import order_confirmation_context
from accounts.validation import clean_address, format_address
from plexus_office import clock
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.gateway import CardDeclined, GatewayError, GatewayTimeout, get_gateway
from plexus_office.platform.notifications import notify_many

# Flat shipping for a one-off dropship order (the catalogue has no shipping table yet).
DROPSHIP_SHIPPING = Decimal("7.95")
MAX_QTY = 10


def dropship_order_create(
    *,
    account: Account,
    actor: User,
    product: Product,
    qty: int,
    ship_to_name: str,
    address: dict[str, Any],
    submission_key: str = "",
) -> Order:
    """Place one order shipped to another person, charged to the default card.

    ``submission_key`` (the form's one-time key) makes a double submit place one order: the order ref
    is derived from it, so the second submit finds the first order instead of charging again.

    The order row is committed first (the charge's idempotency key is its ref), then charged; a
    decline removes the uncharged order again, so nothing half-done stays behind.
    """
    require_holder(account=account, actor=actor)
    errors: dict[str, Any] = {}
    name = (ship_to_name or "").strip()
    if not name:
        errors["ship_to_name"] = gettext("Enter the recipient's name.")
    if not isinstance(qty, int) or not 1 <= qty <= MAX_QTY:
        errors["qty"] = gettext("Choose a quantity from 1 to %(max)s.") % {"max": MAX_QTY}
    cleaned: dict[str, str] = {}
    try:
        cleaned = clean_address(address, prefix="ship_to_")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise SelfServiceError(errors)
    ref = (
        f"D-{account.number}-{hashlib.sha256(submission_key.encode()).hexdigest()[:10].upper()}"
        if submission_key
        else f"D-{account.number}-{secrets.token_hex(5).upper()}"
    )
    with transaction.atomic():
        locked = lock_live_account(account)
        existing = Order.objects.filter(ref=ref, account=locked).first()
        if existing is not None:
            return existing
        card = SavedCard.objects.filter(account=locked, is_default=True, removed_at__isnull=True).first()
        if card is None or not card_is_valid(card, as_of=clock.today()):
            raise SelfServiceError(
                {"card": gettext("Add a valid default card on Manage Cards before ordering.")}
            )
        order = Order.objects.create(
            ref=ref,
            account=locked,
            ordered_on=clock.today(),
            country=cleaned["country"],
            shipping=DROPSHIP_SHIPPING,
            card=card,
            ship_to_name=name,
            ship_to_address=format_address(cleaned),
        )
        OrderLine.objects.create(
            order=order, product=product, qty=qty, unit_price=product.price, pv=product.pv
        )
    amount = Decimal(str(product.price)) * qty + DROPSHIP_SHIPPING
    gateway = get_gateway()
    try:
        try:
            charge = gateway.charge(token=card.token, amount=amount, idempotency_key=f"order:{order.ref}")
        except GatewayTimeout:
            # Same key: the gateway answers with the first charge if it did happen.
            charge = gateway.charge(token=card.token, amount=amount, idempotency_key=f"order:{order.ref}")
    except (CardDeclined, GatewayError) as exc:
        order.delete()
        # Gateway messages are safe to show (never card data); a timeout gets a plain retry hint.
        message = (
            gettext("The payment service did not answer; try again.")
            if isinstance(exc, GatewayTimeout)
            else str(exc)
        )
        raise SelfServiceError({"card": message}) from None
    with transaction.atomic():
        Order.objects.filter(pk=order.pk).update(charge_id=charge.id)
        order.charge_id = charge.id
        audit_record(
            actor=actor,
            obj=locked,
            action=AuditAction.DROPSHIP_ORDER_PLACED,
            note=f"Order {order.ref} ({qty} × {product.sku}) shipped to {name}, charged {amount}",
        )
        flags_refresh(account=locked)
        notify_many(
            items=[
                {
                    "recipient": locked,
                    "event": "accounts_order_confirmation",
                    "context": order_confirmation_context(
                        order,
                        [(product.name, product.sku, qty, product.price, product.pv)],
                    ),
                    "link": f"/orders/{order.ref}/",
                }
            ]
        )
    return order
