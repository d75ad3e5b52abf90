"""Reads for My orders (web and API share them).

Refunds are read through the ``Order.refunds`` reverse relation (the refunds program's model points
at the order), never by importing the refunds app: accounts sits below the programs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext

from accounts.models import Account, Fulfillment, Order, OrderLine
from plexus_office.platform.l10n import money as _money
from plexus_office.platform.l10n import short_date

ZERO = Decimal("0.00")
PAGE_SIZE = 20
CLOSED_WITHOUT_REFUND = ("rejected", "expired")


@dataclass(frozen=True)
class OrderStatus:
    code: str
    label: str
    detail: str = ""


def member_orders(*, account: Account) -> QuerySet[Order]:
    """The member's orders, newest first, with what the list and the detail page show."""
    return (
        Order.objects.filter(account=account)
        .select_related("shipment", "card")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("id")),
            "refunds__lines",
        )
        .order_by("-ordered_on", "-id")
    )


def member_order(*, account: Account, ref: str) -> Order | None:
    return member_orders(account=account).filter(ref=ref).first()


def _refunds(order: Order) -> list[Any]:
    manager = getattr(order, "refunds", None)
    return list(manager.all()) if manager is not None else []


def _refund_product_ids(refund: Any) -> set[int]:
    """The products a refund (one return, one package) holds; a line missing from the box is not refunded."""
    return {line.product_id for line in refund.lines.all() if line.received is not False}


def order_subtotal(order: Order) -> Decimal:
    return sum((line.unit_price * line.qty for line in order.lines.all()), ZERO)


def order_total(order: Order) -> Decimal:
    return order_subtotal(order) + order.shipping


def order_pv(order: Order) -> int:
    return sum(line.pv * line.qty for line in order.lines.all())


def refunded_amount(order: Order) -> Decimal:
    return sum((r.amount for r in _refunds(order) if r.status == "refunded"), ZERO)


def order_status(order: Order) -> OrderStatus:
    """paid, shipped (carrier, tracking), delivered, awaiting pick-up, picked up, (partly) refunded."""
    refunded_products = {
        product_id for r in _refunds(order) if r.status == "refunded" for product_id in _refund_product_ids(r)
    }
    products = {line.product_id for line in order.lines.all()}
    if refunded_products and products and refunded_products >= products:
        return OrderStatus(
            "refunded",
            gettext("Refunded"),
            gettext("%(amount)s back to the card") % {"amount": _money(refunded_amount(order))},
        )
    if refunded_products:
        return OrderStatus(
            "partly_refunded",
            gettext("Partly refunded"),
            gettext("%(amount)s back to the card") % {"amount": _money(refunded_amount(order))},
        )
    if order.fulfillment == Fulfillment.PICKUP:
        if order.picked_up:
            return OrderStatus("picked_up", gettext("Picked up at the Scottsdale Product Store"))
        return OrderStatus("awaiting_pickup", gettext("Awaiting pick-up at the Scottsdale Product Store"))
    shipment = getattr(order, "shipment", None) if _has_shipment(order) else None
    if shipment is not None and shipment.delivered_on:
        return OrderStatus(
            "delivered",
            gettext("Delivered"),
            f"{short_date(shipment.delivered_on)} ({shipment.carrier} {shipment.tracking_number})",
        )
    if shipment is not None:
        return OrderStatus(
            "shipped",
            gettext("Shipped"),
            gettext("%(carrier)s, tracking %(tracking)s, on %(day)s")
            % {
                "carrier": shipment.carrier,
                "tracking": shipment.tracking_number,
                "day": short_date(shipment.shipped_on),
            },
        )
    return OrderStatus("paid", gettext("Paid"), gettext("being prepared for shipping"))


def _has_shipment(order: Order) -> bool:
    try:
        order.shipment  # noqa: B018 - a reverse one-to-one raises when absent
    except Order.shipment.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return False
    return True


def line_refund(order: Order, product_id: int) -> Any | None:
    """The refund that counts for this product of this order (not rejected/expired), if any."""
    for refund in _refunds(order):
        if product_id in _refund_product_ids(refund) and refund.status not in CLOSED_WITHOUT_REFUND:
            return refund
    return None


def order_payload(order: Order, *, detail: bool) -> dict[str, Any]:
    """The API's (and the templates') picture of one order."""
    status = order_status(order)
    data: dict[str, Any] = {
        "ref": order.ref,
        "ordered_on": order.ordered_on.isoformat(),
        "status": status.code,
        "status_label": status.label,
        "status_detail": status.detail,
        "subscription_order": order.subscription_order,
        "fulfillment": order.fulfillment,
        "recipient": order.ship_to_name or None,
        "total": str(order_total(order)),
        "pv": order_pv(order),
    }
    if not detail:
        return data
    shipment = order.shipment if _has_shipment(order) else None
    data.update(
        {
            "ship_to_address": order.ship_to_address or None,
            "shipping": str(order.shipping),
            "subtotal": str(order_subtotal(order)),
            "lines": [
                {
                    "sku": line.product.sku,
                    "name": line.product.name,
                    "qty": line.qty,
                    "unit_price": str(line.unit_price),
                    "total": str(line.total),
                    "pv": line.pv * line.qty,
                    "refund": _refund_payload(line_refund(order, line.product_id)),
                }
                for line in order.lines.all()
            ],
            "payments": [
                {
                    "card": str(order.card) if order.card else None,
                    "amount": str(order_total(order)),
                    "charge_id": order.charge_id,
                }
            ]
            if order.charge_id
            else [],
            "shipment": {
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "shipped_on": shipment.shipped_on.isoformat(),
                "delivered_on": shipment.delivered_on.isoformat() if shipment.delivered_on else None,
            }
            if shipment
            else None,
            "refunds": [_refund_payload(r) for r in _refunds(order)],
            "refunded": str(refunded_amount(order)),
        }
    )
    return data


def _refund_payload(refund: Any | None) -> dict[str, Any] | None:
    if refund is None:
        return None
    return {
        "id": refund.pk,
        "product_ids": sorted(_refund_product_ids(refund)),
        "status": refund.status,
        "status_label": refund.get_status_display(),
        "amount": str(refund.amount),
        "ra_number": refund.ra_number or None,
        "requested_on": refund.requested_on.isoformat(),
    }
