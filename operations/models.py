"""The staff workspace's own tables: contact notes, the staff inbox, escalation digests and the
daily figures the admin dashboards chart.

They sit in ``operations`` because the workspace spans the programs (a member's refunds, clear
requests and sponsor corrections on one page; every queue on one dashboard).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from plexus_office import clock


class ContactChannel(models.TextChoices):
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"
    OTHER = "other", "Other"


class ContactNote(models.Model):
    """A staff member's record of a contact with a member; it stays on the member's service log."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="contact_notes")
    channel = models.CharField(max_length=20, choices=ContactChannel.choices)
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="contact_note_recent")]
        permissions = [
            ("look_up_member", "Can find members and read their member page and service log"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} note on {self.account_id}"


class StaffInboxEntry(models.Model):
    """A message for a staff user (staff have no member account, so no member inbox)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_inbox")
    event = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "staff inbox entries"
        indexes = [models.Index(fields=["user", "-created_at"], name="staff_inbox_recent")]

    def __str__(self) -> str:
        return self.title


class EscalationDigest(models.Model):
    """One morning digest per staff group and day: the row is the idempotency key of the job."""

    group = models.CharField(max_length=150)
    day = models.DateField()
    created_at = models.DateTimeField(default=clock.now)
    recipients = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    due_today = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "group"]
        constraints = [models.UniqueConstraint(fields=["group", "day"], name="escalation_digest_once")]

    def __str__(self) -> str:
        return f"{self.group} digest {self.day}"


class DailyMetric(models.Model):
    """A figure per day (``refunds.refund.submitted``, ``refunds.paid``, ``leads.placed`` …).

    Filled by ``dashboard_metrics_refresh`` from the big tables (one grouped scan per source), so
    a dashboard reads a few hundred small rows instead of scanning millions of requests.
    """

    metric = models.CharField(max_length=80)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    refreshed_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["metric", "day"]
        constraints = [models.UniqueConstraint(fields=["metric", "day"], name="daily_metric_once")]

    def __str__(self) -> str:
        return f"{self.metric} {self.day}: {self.count}"
