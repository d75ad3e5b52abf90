"""Autoship lines and monthly charges, shipments of orders, and commission pay statements.

Imported at the end of ``accounts/models.py`` so Django registers them with the accounts app.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from accounts.models import Order, OrderLine

ZERO = Decimal("0.00")


class SubscriptionItem(models.Model):
    """One product of the monthly subscription order and how many of it.

    Not an ``OrderLine``: a line keeps the price and PV of its sale, an item has none of its own and
    is priced from the catalogue each month (``total``, ``pv_total``), when it becomes an order line.
    """

    subscription = models.ForeignKey("accounts.Subscription", on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("accounts.Product", on_delete=models.PROTECT, related_name="+")
    qty = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["subscription", "product__sku"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "product"], name="subscription_item_once"),
            models.CheckConstraint(condition=Q(qty__gte=1), name="subscription_item_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.qty} x {self.product_id}"

    @property
    def total(self) -> Decimal:
        """At today's catalogue price (an order line's ``total`` is at its sale price)."""
        return self.product.price * self.qty

    @property
    def pv_total(self) -> int:
        return self.product.pv * self.qty

    def order_line(self, order: Order) -> OrderLine:
        """This month's line of ``order``: the item at today's catalogue price and PV (unsaved)."""
        # By name: accounts.models imports this module at its end.
        return apps.get_model("accounts", "OrderLine")(
            order=order, product=self.product, qty=self.qty, unit_price=self.product.price, pv=self.product.pv
        )


class ChargeStatus(models.TextChoices):
    PENDING = "pending", "To charge"
    PAID = "paid", "Paid"
    DECLINED = "declined", "Declined, will retry"
    FAILED = "failed", "Declined three times, subscription paused"
    CANCELLED = "cancelled", "Not charged (subscription paused or cancelled)"


class SubscriptionCharge(models.Model):
    """The charge of one subscription for one month: the unit of "once per subscription and month".

    The unique (subscription, month) row is created before any gateway call, and the gateway's
    idempotency key is derived from it, so a repeated or concurrent run can neither charge a month
    twice nor forget one. ``next_attempt_on`` is the day the job tries it (first day, then retries).
    """

    subscription = models.ForeignKey(
        "accounts.Subscription", on_delete=models.CASCADE, related_name="charges"
    )
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month this charge pays for.")
    scheduled_on = models.DateField(help_text="The subscription's charge day in that month.")
    status = models.CharField(max_length=10, choices=ChargeStatus.choices, default=ChargeStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_on = models.DateField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, default=ZERO)
    pv = models.PositiveIntegerField(default=0)
    order = models.OneToOneField(
        "accounts.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="subscription_charge"
    )
    charge_id = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "month"], name="subscription_charge_once_a_month")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_on"],
                condition=Q(status__in=["pending", "declined"]),
                name="subscription_charge_due",
            ),
            models.Index(fields=["account", "status"], name="subscription_charge_account"),
        ]

    def __str__(self) -> str:
        return f"Charge of subscription {self.subscription_id} for {self.month:%Y-%m} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"subscription-{self.subscription_id}-{self.month:%Y-%m}"


class Shipment(models.Model):
    """Where a shipped order is: set by the warehouse (admin); absent means "paid, not shipped yet"."""

    order = models.OneToOneField("accounts.Order", on_delete=models.CASCADE, related_name="shipment")
    carrier = models.CharField(max_length=40)
    tracking_number = models.CharField(max_length=60)
    shipped_on = models.DateField()
    delivered_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-shipped_on", "-id"]

    def __str__(self) -> str:
        return f"{self.order_id} via {self.carrier} {self.tracking_number}"


class PayRun(models.Model):
    """The committed payout of one monthly period; one per period, ever (unique)."""

    period = models.DateField(unique=True, help_text="First day of the month paid.")
    period_end = models.DateField()
    committed_at = models.DateTimeField()
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, default="admin", help_text="admin or the monthly job.")
    statements_count = models.PositiveIntegerField(default=0)
    earnings = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    reversals = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    carried_in = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    net_paid = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    carried_forward = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)

    SCENARIO_RESET = True

    class Meta:
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"Payout of {self.period:%B %Y}"


class StatementLineKind(models.TextChoices):
    EARNED = "earned", "Earned"
    REVERSAL = "reversal", "Reversed (refund)"
    CARRIED = "carried", "Negative balance carried from an earlier period"
    ADJUSTMENT = "adjustment", "Adjustment"


class Statement(models.Model):
    """One earner's commission statement of one period: its lines and the net paid."""

    run = models.ForeignKey(PayRun, on_delete=models.CASCADE, related_name="statements")
    earner = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="statements")
    period = models.DateField()
    earnings = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    reversals = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    carried_in = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    net_paid = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    carried_forward = models.DecimalField(
        max_digits=12, decimal_places=2, default=ZERO, help_text="Negative balance offset next period."
    )
    carried_entry = models.OneToOneField(
        "accounts.CommissionEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_by_statement",
    )

    class Meta:
        ordering = ["-period", "earner"]
        constraints = [models.UniqueConstraint(fields=["run", "earner"], name="statement_once_per_run")]
        indexes = [models.Index(fields=["earner", "-period"], name="statement_earner_period")]

    def __str__(self) -> str:
        return f"Statement {self.period:%Y-%m} of {self.earner_id}: {self.net_paid}"

    @property
    def balance(self) -> Decimal:
        return self.earnings + self.reversals + self.carried_in


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    entry = models.OneToOneField(
        "accounts.CommissionEntry", on_delete=models.CASCADE, related_name="statement_line"
    )
    kind = models.CharField(max_length=12, choices=StatementLineKind.choices)
    description = models.CharField(max_length=300)
    order_ref = models.CharField(max_length=40, blank=True)
    earned_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["statement", "earned_on", "id"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"
