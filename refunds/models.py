"""Refund requests. One refund per product per account, ever (rejected/expired ones do not count)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin

from accounts.models import Account, Order, Product


class RefundReason(models.TextChoices):
    MONEY_BACK = "money_back", "60 Day Money Back Guarantee"
    SATISFACTION = "satisfaction", "Customer Satisfaction Guarantee"
    STORE_PICKUP = "store_pickup", "Store pick-up by mistake"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    AUTHORIZED = "authorized", "Authorized"
    RECEIVED = "received", "Received"
    REFUNDED = "refunded", "Refunded"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"


# States that no longer count against "one refund per product".
CLOSED_WITHOUT_REFUND = (RefundStatus.REJECTED, RefundStatus.EXPIRED)


class Refund(FSMModelMixin, models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="refunds")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=RefundReason.choices, default=RefundReason.MONEY_BACK)
    status = FSMField(default=RefundStatus.REQUESTED, choices=RefundStatus.choices, protected=True, db_index=True)
    requested_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "product"],
                condition=~Q(status__in=["rejected", "expired"]),
                name="refund_one_per_product_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.pk} ({self.status})"
