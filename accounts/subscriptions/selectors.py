"""What the Autoship page shows: the products, the PV total and what it means."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

from accounts.models import Product, Subscription, SubscriptionStatus

LEADS_MIN_PV = 100  # Leads program rule 3 (business-rules §3)


def pv_meaning(pv: int) -> dict[str, Any]:
    """What a PV total means for the member: Leads rule 3 and the Plexus Perks thresholds."""
    thresholds = sorted((int(t), Decimal(a)) for t, a in settings.PERK_CREDIT_THRESHOLDS)
    reached = [(t, a) for t, a in thresholds if pv >= t]
    nxt = next(((t, a) for t, a in thresholds if pv < t), None)
    return {
        "pv": pv,
        "leads_rule_met": pv >= LEADS_MIN_PV,
        "leads_min_pv": LEADS_MIN_PV,
        "perk_threshold": reached[-1][0] if reached else None,
        "perk_credit": str(reached[-1][1]) if reached else "0.00",
        "next_perk_threshold": nxt[0] if nxt else None,
        "next_perk_credit": str(nxt[1]) if nxt else None,
    }


def autoship_summary(*, subscription: Subscription) -> dict[str, Any]:
    """A JSON-safe picture of the subscription (page, API, confirmation emails)."""
    items = list(subscription.items.select_related("product").order_by("product__sku"))
    subtotal = sum((i.total for i in items), Decimal("0.00"))
    return {
        "status": subscription.status,
        "status_label": SubscriptionStatus(subscription.status).label,
        "items": [
            {
                "product_id": i.product_id,
                "sku": i.product.sku,
                "name": i.product.name,
                "qty": i.qty,
                "price": str(i.product.price),
                "pv": i.product.pv,
            }
            for i in items
        ],
        "subtotal": str(subtotal),
        "charge_day": subscription.charge_day,
        "next_charge_on": subscription.next_charge_on.isoformat() if subscription.next_charge_on else None,
        "skipped_charge_on": subscription.skipped_charge_on.isoformat()
        if subscription.skipped_charge_on
        else None,
        "card": str(subscription.card) if subscription.card_id and subscription.card else None,
        "meaning": pv_meaning(subscription.pv),
    }


def catalogue() -> list[Product]:
    return list(Product.objects.order_by("sku"))
