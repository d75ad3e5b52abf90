"""Refund requests. One refund per product per account, ever (rejected/expired ones do not count).

A ``Refund`` is one return: the products chosen from one order, travelling back in one package under
one RA number and one label, with one label deduction (business-rules §5). Its ``RefundLine`` rows
say what was returned; "one refund per product" is a partial unique index on the lines (account,
product) over the lines that still count. The request is also the staff queue item (Customer
Service → Returns → Finance); ``due_on`` follows the current stage.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from accounts.models import Account, CommissionEntry, Order, Product
from plexus_office.platform.money import ZERO
from plexus_office.platform.queues import QueueItem
from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE, RETURNS, member_of


class RefundReason(models.TextChoices):
    MONEY_BACK = "money_back", _("60 Day Money Back Guarantee")
    SATISFACTION = "satisfaction", _("Customer Satisfaction Guarantee")
    STORE_PICKUP = "store_pickup", _("Store pick-up by mistake")


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("refund status", "Requested")
    AUTHORIZED = "authorized", pgettext_lazy("refund status", "Authorized")
    RECEIVED = "received", pgettext_lazy("refund status", "Received")
    REFUNDED = "refunded", pgettext_lazy("refund status", "Refunded")
    REJECTED = "rejected", pgettext_lazy("refund status", "Rejected")
    EXPIRED = "expired", pgettext_lazy("refund status", "Expired")


class ReturnMethod(models.TextChoices):
    PREPAID_LABEL = "prepaid_label", _("Prepaid return label from Customer Service")
    POST_OFFICE = "post_office", _("I pay the postage at the post office")


class RefundChannel(models.TextChoices):
    MEMBER = "member", "Request Refund Form"
    AMBASSADOR = "ambassador", "Issued by the selling ambassador"
    CUSTOMER_SERVICE = "customer_service", "Customer Service on the member's behalf"
    REFUSED_SHIPMENT = "refused_shipment", "Refused shipment returned by the carrier"


# States that no longer count against "one refund per product".
CLOSED_WITHOUT_REFUND = (RefundStatus.REJECTED, RefundStatus.EXPIRED)
OPEN_STATES = (RefundStatus.REQUESTED, RefundStatus.AUTHORIZED, RefundStatus.RECEIVED)


class Refund(FSMModelMixin, QueueItem):
    # Customer Service authorizes within 2 business days (refunds.txt, stage 2).
    SLA_BUSINESS_DAYS = 2
    OPEN_STATES = OPEN_STATES

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="refunds")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    reason = models.CharField(max_length=20, choices=RefundReason.choices, default=RefundReason.MONEY_BACK)
    status = FSMField(
        default=RefundStatus.REQUESTED, choices=RefundStatus.choices, protected=True, db_index=True
    )
    requested_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    # Overrides the queue base: scenario history rows carry no deadline, closed ones need none.
    # (Django allows overriding an abstract parent's field; mypy flags the nullable override.)
    due_on = models.DateField(null=True, blank=True, db_index=True)  # type: ignore[assignment]

    channel = models.CharField(max_length=20, choices=RefundChannel.choices, default=RefundChannel.MEMBER)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_method = models.CharField(
        max_length=20, choices=ReturnMethod.choices, default=ReturnMethod.PREPAID_LABEL
    )
    # The quote at request time; ``amount``/``deduction`` are recomputed when the package arrives.
    gross = models.DecimalField(max_digits=10, decimal_places=2, default=ZERO, help_text="Lines' paid price.")
    deduction = models.DecimalField(max_digits=10, decimal_places=2, default=ZERO)
    amount = models.DecimalField(
        max_digits=10, decimal_places=2, default=ZERO, help_text="What reaches the card."
    )
    pv = models.PositiveIntegerField(default=0, help_text="PV of the refunded lines.")
    return_deadline = models.DateField(null=True, blank=True)
    window_ends_on = models.DateField(null=True, blank=True)

    ra_number = models.CharField("RA number", max_length=20, unique=True, null=True, blank=True)
    label_reference = models.CharField(max_length=40, blank=True)
    authorized_on = models.DateField(null=True, blank=True)
    reminder_sent_on = models.DateField(null=True, blank=True)
    shipped_on = models.DateField(null=True, blank=True, help_text="The member says the package left.")
    tracking_number = models.CharField(max_length=60, blank=True)

    received_on = models.DateField(null=True, blank=True)
    postage_paid_by_customer = models.BooleanField(default=False)
    refused_shipment = models.BooleanField(default=False)

    refunded_on = models.DateField(null=True, blank=True)
    gateway_refund_id = models.CharField(max_length=100, blank=True)
    gateway_error = models.CharField(max_length=300, blank=True)
    payment_attempts = models.PositiveSmallIntegerField(default=0)
    # Claimed while a gateway call is in flight so a second click waits instead of racing it.
    payment_started_at = models.DateTimeField(null=True, blank=True)
    replacement_order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces_refunds"
    )

    class Meta:
        ordering = ["-requested_on", "-id"]
        indexes = [
            # The admin's status filters in the queue's order (due_on, id): a page of "rejected" (about
            # half of a million refunds) is read from the index instead of sorting the ties by id.
            models.Index(fields=["status", "due_on", "id"], name="refund_status_due"),
            models.Index(fields=["status", "return_deadline"]),
            # "Overdue" (due before today, still open) in the queue's order: at 1M refunds the
            # (status, due_on, id) index above made PostgreSQL walk due_on and recheck every open
            # refund's status (~700 ms); this index holds only the open ones, already in page order.
            models.Index(
                fields=["due_on", "id"],
                condition=models.Q(status__in=OPEN_STATES),
                name="refund_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.pk} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        # Derived from the id only: every retry and double click asks the gateway for the same refund.
        return f"plexus-refund-{self.pk}"

    @property
    def skips_return(self) -> bool:
        return self.reason == RefundReason.STORE_PICKUP

    @property
    def gets_label(self) -> bool:
        """A prepaid label is issued (and its fee deducted) only for prepaid-label returns."""
        return (
            not self.skips_return
            and not self.refused_shipment
            and (self.return_method == ReturnMethod.PREPAID_LABEL)
        )

    @property
    def skus(self) -> str:
        """The products of the return, for lists ("SLIM, ACTIVE"); uses prefetched lines when present."""
        return ", ".join(line.product.sku for line in self.lines.all())

    @property
    def product_names(self) -> str:
        """ "Slim Microbiome Activation, Active": the return's products, for messages."""
        return ", ".join(line.product.name for line in self.lines.all())

    def ready_to_pay(self) -> bool:
        return self.status == RefundStatus.RECEIVED or (
            self.status == RefundStatus.AUTHORIZED and self.skips_return
        )

    def first_payment(self) -> bool:
        return self.ready_to_pay() and not self.gateway_error

    def failed_payment(self) -> bool:
        return self.ready_to_pay() and bool(self.gateway_error)

    def awaits_package(self) -> bool:
        return not self.skips_return

    def needs_authorization(self) -> bool:
        # A refused shipment is already coming back with the carrier: nothing for CS to authorize.
        return not self.refused_shipment

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=RefundStatus.REQUESTED,
        target=RefundStatus.AUTHORIZED,
        conditions=[needs_authorization],  # type: ignore[list-item]  # django-fsm types conditions on Model
        permission=member_of(CUSTOMER_SERVICE),
        custom={"label": "Authorize (RA number; label for prepaid returns)"},
    )
    def authorize(self, by=None, description=None) -> None:
        """Customer Service issues the RA number, and the prepaid label for a prepaid-label return."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[RefundStatus.REQUESTED, RefundStatus.AUTHORIZED],
        target=RefundStatus.REJECTED,
        permission=member_of(CUSTOMER_SERVICE),
        custom={"label": "Reject"},
    )
    def reject(self, by=None, description=None) -> None:
        """Refused with a reason the member is told."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=RefundStatus.AUTHORIZED,
        target=RefundStatus.RECEIVED,
        conditions=[awaits_package],  # type: ignore[list-item]  # django-fsm types conditions on Model
        permission=member_of(RETURNS),
        custom={"label": "Package received"},
    )
    def receive(self, by=None, description=None) -> None:
        """Returns logs the package (with its label) into the warehouse."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[RefundStatus.REQUESTED, RefundStatus.AUTHORIZED],
        target=RefundStatus.RECEIVED,
        conditions=[awaits_package],  # type: ignore[list-item]  # django-fsm types conditions on Model
        permission=member_of(RETURNS),
        custom={"label": "Refused shipment back in the warehouse"},
    )
    def receive_refused(self, by=None, description=None) -> None:
        """The carrier brought back a shipment the member refused; the refund can now be paid."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[RefundStatus.AUTHORIZED, RefundStatus.RECEIVED],
        target=RefundStatus.REFUNDED,
        conditions=[first_payment],  # type: ignore[list-item]  # django-fsm types conditions on Model
        permission=member_of(FINANCE),
        custom={"label": "Refund to the card"},
    )
    def refund(self, by=None, description=None) -> None:
        """Finance pays the amount back to the original payment method (the service calls the gateway)."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[RefundStatus.AUTHORIZED, RefundStatus.RECEIVED],
        target=RefundStatus.REFUNDED,
        conditions=[failed_payment],  # type: ignore[list-item]  # django-fsm types conditions on Model
        permission=member_of(FINANCE),
        custom={"label": "Retry the refund"},
    )
    def retry(self, by=None, description=None) -> None:
        """A new attempt after a gateway failure; the same idempotency key makes it pay once."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[RefundStatus.REQUESTED, RefundStatus.AUTHORIZED],
        target=RefundStatus.EXPIRED,
        permission=lambda instance, user: False,  # the beat job only
        custom={"admin": False},
    )
    def expire(self, by=None, description=None) -> None:
        """Nothing shipped within 10 days of the request (the beat job)."""


class RefundLine(models.Model):
    """One product of a return: what was asked back, and whether it arrived in the package."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    # The refund's account, repeated here so "one refund per product" is one partial unique index.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0, help_text="The order the member listed them in.")
    qty = models.PositiveIntegerField(default=1)
    gross = models.DecimalField(max_digits=10, decimal_places=2, default=ZERO, help_text="Lines' paid price.")
    pv = models.PositiveIntegerField(default=0)
    # False once the refund ended rejected or expired, or the product was missing from the package:
    # such a line no longer blocks another refund of the product.
    counts = models.BooleanField(default=True)
    received = models.BooleanField(
        null=True, blank=True, help_text="In the package (yes), missing from it (no), not yet received."
    )

    class Meta:
        ordering = ["refund_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "product"],
                condition=Q(counts=True),
                name="refund_line_one_per_product_per_account",
            ),
            models.UniqueConstraint(fields=["refund", "product"], name="refund_line_once_per_refund"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.qty} (refund {self.refund_id})"


class BonusReversal(models.Model):
    """A bonus tied to a refunded order, reversed: cancelled when unpaid, else a negative adjustment."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="bonus_reversals")
    original = models.ForeignKey(CommissionEntry, on_delete=models.CASCADE, related_name="refund_reversals")
    adjustment = models.OneToOneField(
        CommissionEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="refund_adjustment"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="Reversed (positive).")
    cancelled = models.BooleanField(default=False, help_text="The original was unpaid and is cancelled.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["refund", "original"], name="bonus_reversal_once_per_refund")
        ]

    def __str__(self) -> str:
        return f"Reversal of entry {self.original_id} for refund {self.refund_id}"


class Payout(models.Model):
    """One payout of an earner's ledger: unpaid entries netted, negative balances carried forward."""

    earner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="payouts")
    paid_on = models.DateField()
    earnings = models.DecimalField(max_digits=12, decimal_places=2, help_text="Positive entries settled.")
    offsets = models.DecimalField(max_digits=12, decimal_places=2, help_text="Negative adjustments settled.")
    net = models.DecimalField(max_digits=12, decimal_places=2, help_text="What is paid out (never negative).")
    carried_forward = models.OneToOneField(
        CommissionEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_by_payout"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-id"]

    def __str__(self) -> str:
        return f"Payout {self.pk} to {self.earner_id}: {self.net}"
