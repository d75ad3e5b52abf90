"""Self-service models: stored flags for outdated information, and pending email changes.

Imported at the end of ``accounts/models.py`` so Django registers them with the accounts app.
"""

from __future__ import annotations

from django.db import models


class FlagCode(models.TextChoices):
    EMAIL_BOUNCED = "email_bounced", "Email address bounced"
    SUBSCRIPTION_CARD_MISSING = "subscription_card_missing", "No card pays the subscription"
    SUBSCRIPTION_CARD_EXPIRED = "subscription_card_expired", "The subscription's card has expired"
    SUBSCRIPTION_DECLINED = "subscription_declined", "The subscription's monthly charge was declined"
    CARD_EXPIRING = "card_expiring", "A card expires within 30 days"
    SHIPPING_INCOMPLETE = "shipping_incomplete", "Shipping address incomplete"
    INFO_NOT_REVIEWED = "info_not_reviewed", "Information not reviewed for 12 months"


class AccountFlag(models.Model):
    """One open flag; the row is deleted when the cause is fixed (``raised_at`` says since when)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(max_length=40, choices=FlagCode.choices)
    raised_at = models.DateTimeField()

    class Meta:
        ordering = ["account", "code"]
        constraints = [models.UniqueConstraint(fields=["account", "code"], name="account_flag_once")]
        # Admin filters "accounts with flag X": the unique index leads with account, so add code first.
        indexes = [models.Index(fields=["code", "account"], name="account_flag_code")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.get_code_display()}"


class PendingEmailChange(models.Model):
    """A requested email change waiting for the click on the link sent to the new address.

    Only the SHA-256 of the link's token is stored, so a database reader cannot confirm a change.
    """

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="email_changes")
    old_email = models.EmailField(blank=True)
    new_email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True, help_text="Superseded by a newer request.")

    class Meta:
        ordering = ["account", "-created_at"]
        indexes = [models.Index(fields=["account", "-created_at"], name="email_change_recent")]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.new_email}"
