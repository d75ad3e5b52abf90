"""Members, genealogy, ranks, products, orders, subscriptions, fees, commissions and perks.

Money is Decimal everywhere; PV is an integer. State fields are django-fsm-2 fields protected from
direct assignment: a move happens only through a transition called by a service.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.paths import insert_values

CORPORATE_ROOT_NUMBER = 1
CORPORATE_SPONSOR_NUMBER = 2  # Corporate Sponsor "2", the orphan account that holds leads.
# The accounts whose email is unique (``account_email_unique_live``). A lookup by email reads that
# index for them and ``account_email_lower_other`` for every other account (accounts/lookup.py).
LIVE_EMAIL = Q(status="active") & ~Q(email="")


class Rank(models.IntegerChoices):
    BRAND_AMBASSADOR = 1, "Brand Ambassador"
    SILVER = 2, "Silver"
    GOLD = 3, "Gold"
    SENIOR_GOLD = 4, "Senior Gold"
    RUBY = 5, "Ruby"
    SENIOR_RUBY = 6, "Senior Ruby"
    EMERALD = 7, "Emerald"
    SENIOR_EMERALD = 8, "Senior Emerald"
    DIAMOND = 9, "Diamond"
    SENIOR_DIAMOND = 10, "Senior Diamond"

    @classmethod
    def from_label(cls, label: str) -> Rank:
        for rank in cls:
            if rank.label.lower() == label.strip().lower():
                return rank
        raise ValueError(f"unknown rank {label!r}")


class AccountKind(models.TextChoices):
    AMBASSADOR = "ambassador", _("Brand Ambassador")
    VIP_CUSTOMER = "vip_customer", _("VIP Customer")
    RETAIL_CUSTOMER = "retail_customer", _("Retail Customer")


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")


class Account(FSMModelMixin, models.Model):
    number = models.BigIntegerField(unique=True, help_text="Public account number (not the primary key).")
    # kind and status are not indexed alone: three or two values select too much to help a query,
    # and every index on this million-row table is paid on each sponsor move (bench/README.md).
    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    status = FSMField(default=AccountStatus.ACTIVE, choices=AccountStatus.choices, protected=True)
    is_corporate = models.BooleanField(default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="account"
    )

    # Current sponsor, denormalised from the open Sponsorship row so "who is my sponsor" and the
    # downline walk are one cheap indexed query; services change both together.
    sponsor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsored",
        db_index=False,  # the (sponsor, kind) index serves every lookup by sponsor
    )
    personally_enrolled = models.BooleanField(
        default=True, help_text="False when the Leads program (or a roll-up) placed the account."
    )
    enrolled_on = models.DateField()
    listed_under_2_on = models.DateField(null=True, blank=True)

    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    email_bounced_at = models.DateTimeField(null=True, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    country = models.CharField(max_length=2, default="US")
    # Language of the pages and of everything sent to the member (emails, inbox); a LANGUAGES code.
    preferred_language = models.CharField(max_length=10, default="en", choices=settings.LANGUAGES)

    mailing_street = models.CharField(max_length=200, blank=True)
    mailing_unit = models.CharField("mailing apartment/unit", max_length=50, blank=True)
    mailing_city = models.CharField(max_length=100, blank=True)
    mailing_region = models.CharField("mailing state/province", max_length=100, blank=True)
    mailing_postal_code = models.CharField(max_length=20, blank=True)
    mailing_country = models.CharField(max_length=2, blank=True)

    shipping_recipient = models.CharField(max_length=200, blank=True, help_text="Blank means the holder.")
    shipping_street = models.CharField(max_length=200, blank=True)
    shipping_unit = models.CharField("shipping apartment/unit", max_length=50, blank=True)
    shipping_city = models.CharField(max_length=100, blank=True)
    shipping_region = models.CharField("shipping state/province", max_length=100, blank=True)
    shipping_postal_code = models.CharField(max_length=20, blank=True)
    shipping_country = models.CharField(max_length=2, blank=True)

    title_rank = models.PositiveSmallIntegerField(choices=Rank.choices, null=True, blank=True)
    membership_fee_due_on = models.DateField(null=True, blank=True)
    last_lead_batch_on = models.DateField(null=True, blank=True)

    newsletter_opt_in = models.BooleanField(default=False)
    newsletter_consent_at = models.DateTimeField(null=True, blank=True)
    info_reviewed_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)

    # Today's genealogy as a materialized path (accounts/paths.py): the sponsor's path and this
    # account's segment; depth 0 without a sponsor. Kept by Account.save (new accounts) and by every
    # sponsor move (accounts.services); bytewise ("C") collation on PostgreSQL (migration 0016).
    path = models.TextField(default="", editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=LIVE_EMAIL,
                name="account_email_unique_live",
            ),
            models.CheckConstraint(condition=~Q(sponsor=models.F("id")), name="account_not_own_sponsor"),
        ]
        indexes = [
            models.Index(fields=["sponsor", "kind"]),
            # Only the accounts the unique index leaves out (cancelled, no email): a whole-table
            # lower(email) index repeated the unique one for live accounts and was paid on every
            # sponsor move and path rewrite (migration 0020, bench/README.md).
            models.Index(Lower("email"), name="account_email_lower_other", condition=~LIVE_EMAIL),
            models.Index(fields=["name"]),
            # Staff member lookup by phone (E.164). The name search's trigram index is PostgreSQL
            # only and created by migration 0006 (accounts/lookup.py).
            models.Index(fields=["phone"], name="account_phone", condition=~Q(phone="")),
            # A downline is a range of this index, in tree order (accounts/paths.py).
            models.Index(fields=["path"], name="account_path"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.name}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new account's place in the tree is written by its INSERT, from the sponsor's row as it is
        # in the database (a sponsor object in memory may be stale); read back lazily when used.
        computed = False
        if self._state.adding and not self.path and self.number is not None:
            self.path, self.depth = insert_values(number=self.number, sponsor_id=self.sponsor_id)
            computed = not isinstance(self.path, str)
        elif (
            not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert")
        ):
            # An update never writes the path back: a copy loaded before a move above it is stale,
            # and only sponsor moves (accounts.paths.subtree_move) may change it.
            skipped = self.get_deferred_fields() | {"path", "depth"}
            kwargs["update_fields"] = [
                f.attname
                for f in self._meta.concrete_fields
                if not f.primary_key and f.attname not in skipped
            ]
        super().save(*args, **kwargs)
        if computed:
            self.__dict__.pop("path", None)
            self.__dict__.pop("depth", None)

    @property
    def is_ambassador(self) -> bool:
        return self.kind == AccountKind.AMBASSADOR

    @property
    def is_customer(self) -> bool:
        return self.kind in (AccountKind.VIP_CUSTOMER, AccountKind.RETAIL_CUSTOMER)

    @transition(field=status, source=AccountStatus.ACTIVE, target=AccountStatus.CANCELLED)
    def cancel(self) -> None:
        """Cancelled by the holder, or by clearing; the caller records who and why."""


class SponsorChangeReason(models.TextChoices):
    ENROLLMENT = "enrollment", "Enrollment"
    LEAD_PLACEMENT = "lead_placement", "Lead placement"
    CORRECTION = "correction", "Sponsor correction"
    CLEARING = "clearing", "Clearing"
    CLEARING_ROLL_UP = "clearing_roll_up", "Clearing roll-up"


class Sponsorship(models.Model):
    """One period of an account under a sponsor: effective-dated history of the genealogy."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sponsorships")
    sponsor = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Open period when blank.")
    reason = models.CharField(max_length=20, choices=SponsorChangeReason.choices)
    end_reason = models.CharField(max_length=20, choices=SponsorChangeReason.choices, blank=True)
    personal = models.BooleanField(default=True, help_text="A personal enrollment by the sponsor.")
    # Indexed only where set (a staff correction): jobs write it empty on 100k rows per Leads run.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "valid_from", "id"]
        indexes = [
            models.Index(
                fields=["created_by"], condition=Q(created_by__isnull=False), name="sponsorship_created_by"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(valid_to__isnull=True), name="sponsorship_one_open_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} under {self.sponsor_id} from {self.valid_from}"


class PaidRank(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="paid_ranks")
    month = models.DateField(help_text="First day of the calendar month.")
    rank = models.PositiveSmallIntegerField(choices=Rank.choices)

    class Meta:
        # By the key column: "account" would sort by Account's ordering, joining accounts in every
        # paid-rank subquery just to sort rows the filter already pins to one account.
        ordering = ["account_id", "month"]
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="paid_rank_one_per_month")]

    def __str__(self) -> str:
        return f"#{self.account_id} {self.month:%Y-%m}: {self.get_rank_display()}"


class Product(models.Model):
    sku = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    pv = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Fulfillment(models.TextChoices):
    SHIP = "ship", "Ship"
    PICKUP = "pickup", "Pick-up at the Scottsdale Product Store"


class SavedCard(models.Model):
    """A card on file: only what the gateway's token and a card-on-file screen need. Never the PAN/CVV."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="cards")
    token = models.CharField(max_length=100, unique=True)
    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    holder_name = models.CharField(max_length=200, blank=True)
    billing_postal_code = models.CharField(max_length=20, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="Removed from the account; kept for refunds."
    )

    class Meta:
        ordering = ["account", "-is_default", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(is_default=True, removed_at__isnull=True),
                name="one_default_card",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand} •••• {self.last4} ({self.exp_month:02d}/{self.exp_year})"


class Order(models.Model):
    ref = models.CharField(max_length=40, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="orders")
    ordered_on = models.DateField(db_index=True)
    country = models.CharField(max_length=2)
    fulfillment = models.CharField(max_length=10, choices=Fulfillment.choices, default=Fulfillment.SHIP)
    picked_up = models.BooleanField(default=False)
    shipping = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    subscription_order = models.BooleanField(default=False)
    card = models.ForeignKey(
        SavedCard, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    charge_id = models.CharField(max_length=100, blank=True, help_text="Gateway charge, for refunds.")
    sold_by = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_sales",
        help_text="The ambassador who made this retail sale directly (issues its refunds).",
    )
    # Dropship: a one-off recipient; the account's saved address is left alone.
    ship_to_name = models.CharField(max_length=200, blank=True)
    ship_to_address = models.TextField(blank=True)
    perk_credits_earned = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ordered_on", "-id"]
        indexes = [models.Index(fields=["account", "-ordered_on"])]

    def __str__(self) -> str:
        return self.ref


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    qty = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    pv = models.PositiveIntegerField(default=0, help_text="PV per unit.")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.qty} x {self.product_id} @ {self.unit_price}"

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.qty


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", "Paused"
    CANCELLED = "cancelled", _("Cancelled")


class Subscription(models.Model):
    """The monthly subscription order (autoship)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="subscription")
    status = models.CharField(
        max_length=10, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    pv = models.PositiveIntegerField(default=0)
    card = models.ForeignKey(
        SavedCard, null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriptions"
    )
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    # Autoship schedule (accounts/subscriptions/): the day of the month it charges, the next charge
    # date (only active subscriptions with one are charged) and a skipped charge shown to the member.
    charge_day = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 to 28.")
    next_charge_on = models.DateField(null=True, blank=True)
    skipped_charge_on = models.DateField(null=True, blank=True)
    paused_by_declines = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["status", "pv"]),
            models.Index(
                fields=["next_charge_on"], condition=Q(status="active"), name="subscription_next_charge"
            ),
        ]

    def __str__(self) -> str:
        return f"Subscription of {self.account_id} ({self.status}, {self.pv} PV)"


class MembershipFeePayment(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="fee_payments")
    paid_on = models.DateField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    covers_until = models.DateField(help_text="The new due date this payment bought.")
    charge_id = models.CharField(max_length=100, blank=True, help_text="Gateway charge (blank: not by card).")
    card = models.ForeignKey(
        SavedCard, null=True, blank=True, on_delete=models.SET_NULL, related_name="fee_payments"
    )
    # One payment per key: a double click on "Pay now" pays once (key = account + due date paid).
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["account", "-paid_on"]

    def __str__(self) -> str:
        return f"Fee {self.amount} paid {self.paid_on} by #{self.account_id}"


class CommissionKind(models.TextChoices):
    BUSINESS_BUILDER_BONUS = "business_builder_bonus", _("Business Builder Bonus")
    VIP_CUSTOMER_BONUS = "vip_customer_bonus", _("VIP Customer Bonus")
    COMMISSION = "commission", _("Commission")
    INCENTIVE = "incentive", _("Incentive")
    ADJUSTMENT = "adjustment", _("Negative adjustment")


class CommissionStatus(models.TextChoices):
    UNPAID = "unpaid", "Unpaid"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", _("Cancelled")


class CommissionEntry(models.Model):
    """One line of an earner's commission ledger, tied to the order that earned it."""

    earner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="commission_entries")
    kind = models.CharField(max_length=30, choices=CommissionKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="Negative for adjustments.")
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="commissions"
    )
    status = models.CharField(
        max_length=10, choices=CommissionStatus.choices, default=CommissionStatus.UNPAID
    )
    earned_on = models.DateField()
    paid_on = models.DateField(null=True, blank=True)
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reversals"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["earner", "-earned_on", "-id"]
        verbose_name_plural = "commission entries"
        indexes = [models.Index(fields=["earner", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.status})"


class PerkCredit(models.Model):
    """Plexus Perks credit earned by a subscription order (negative rows are deductions)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="perk_credits")
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="perk_credits"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    created_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["account", "-created_on", "-id"]

    def __str__(self) -> str:
        return f"Perk credit {self.amount} on {self.created_on}"


# Self-service models live in their own module (flags, pending email changes); registered here.
from accounts.models_billing import (  # noqa: E402,F401
    ChargeStatus,
    PayRun,
    Shipment,
    Statement,
    StatementLine,
    StatementLineKind,
    SubscriptionCharge,
    SubscriptionItem,
)
from accounts.models_enrollment import Enrollment, EnrollmentChannel  # noqa: E402,F401
from accounts.models_selfservice import AccountFlag, FlagCode, PendingEmailChange  # noqa: E402,F401
from accounts.models_team import TeamRollup  # noqa: E402,F401
