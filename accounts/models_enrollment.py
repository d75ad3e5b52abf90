"""Enrollment records: one row per enrollment attempt that created (or is creating) an account.

``key`` is the idempotency key of the enrollment (the wizard's, the API client's, or a fresh one for
staff and operations): a double submit or a reload of the last step finds the first row instead of
creating a second account or charging twice. Imported at the end of ``accounts/models.py``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models


class EnrollmentChannel(models.TextChoices):
    WEB = "web", "Public enrollment form"
    API = "api", "API"
    STAFF = "staff", "Staff (admin)"
    OPERATIONS = "operations", "Operations import (manage.py enroll)"
    UPGRADE = "upgrade", "VIP upgrade to Brand Ambassador"


class Enrollment(models.Model):
    SCENARIO_RESET = True  # load_scenario replaces member data: these rows go with it

    key = models.CharField(max_length=80, unique=True)
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="enrollments"
    )
    channel = models.CharField(max_length=12, choices=EnrollmentChannel.choices)
    kind = models.CharField(max_length=20)
    enrolled_on = models.DateField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Staff member who enrolled the person (blank: the person themself).",
    )
    charge_id = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Enrollment {self.key} ({self.channel})"
