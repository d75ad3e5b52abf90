"""Platform tables: the members' inbox, the email outbox and the sandbox payment gateway's state.

The queue base (``queues.QueueItem``) is abstract and lives with its services in ``queues.py``.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


def _new_key() -> str:
    return uuid.uuid4().hex


class InboxEntry(models.Model):
    """One notification on a member's dashboard; ``read_at`` null means unread."""

    # No single-column index: both indexes below start with the account.
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="inbox_entries", db_index=False
    )
    event = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # What the member's inbox shows: short HTML rendered by our templates (autoescaped, relative links);
    # ``body`` keeps the email's text for staff. Empty on entries written before summaries existed.
    summary = models.TextField(blank=True, default="", db_default="")
    link = models.CharField(max_length=500, blank=True)
    # Set by notify_many: the entry is rendered from this context when first shown (bulk jobs skip
    # rendering 100k templates inside their transaction).
    context = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "inbox entries"
        indexes = [
            # The unread badge on every page: count(*) where account=? and read_at is null.
            models.Index(fields=["account", "read_at"], name="inbox_account_unread"),
            models.Index(fields=["account", "-created_at"], name="inbox_account_recent"),
        ]

    def __str__(self) -> str:
        return self.title


class OutboxState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class EmailOutbox(models.Model):
    """An email to send, rendered when the event happened and written in the event's transaction.

    The row is the source of truth: a lost broker message or a killed worker leaves it pending,
    failed or stale-sending, and the beat sweep queues it again; the conditional claim makes the
    send happen once.
    """

    # Unique through Meta.constraints: a unique=True CharField also gets a LIKE (pattern_ops) index on
    # PostgreSQL, which nothing uses and every bulk notification paid for.
    key = models.CharField(max_length=100, default=_new_key, editable=False)
    to_email = models.EmailField()
    to_name = models.CharField(max_length=200, blank=True)
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox_emails"
    )
    event = models.CharField(max_length=100)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # Set by notify_many: rendered just before sending (see outbox.outbox_send).
    context = models.JSONField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outbox email"
        verbose_name_plural = "email outbox"
        constraints = [models.UniqueConstraint(fields=["key"], name="outbox_key_unique")]
        indexes = [
            # The sweep and the admin's per-state counts only look at unsent rows.
            models.Index(
                fields=["state", "next_attempt_at"],
                name="outbox_unsent",
                condition=~Q(state="sent"),
            ),
            models.Index(fields=["state"], name="outbox_state"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email}"


# --- Sandbox payment gateway -------------------------------------------------------------------
# Stored in the database (not in memory) so a Celery worker, a web process and a test all see the
# same cards, charges, refunds and injected faults. A card keeps only what a card-on-file screen
# shows: never the number or the CVV.


class SandboxCard(models.Model):
    token = models.CharField(max_length=64, unique=True)
    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    # What the documented test number asked for when charged ("ok" or "decline"); not card data.
    charge_outcome = models.CharField(max_length=10, default="ok")
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.brand} •••• {self.last4}"


class SandboxCharge(models.Model):
    charge_id = models.CharField(max_length=64, unique=True)
    token = models.CharField(max_length=64, db_index=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.charge_id} {self.amount}"


class SandboxRefund(models.Model):
    refund_id = models.CharField(max_length=64, unique=True)
    charge = models.ForeignKey(SandboxCharge, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    # The guarantee that a retried refund pays once, even from two processes at the same moment.
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.refund_id} {self.amount}"


class SandboxFault(models.Model):
    """A fault the next calls of one gateway operation will hit (tests and demos only)."""

    OPERATIONS = ("tokenize", "charge", "refund", "delete_card")
    KINDS = ("timeout", "timeout_after_commit", "error", "decline")

    operation = models.CharField(max_length=20)
    kind = models.CharField(max_length=30)
    remaining = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.operation}: {self.kind} ×{self.remaining}"
