"""Clear requests: an upline ambassador asks Customer Service to clear an inactive downline member.

One row per request on the platform queue (due 1 business day after submission). The facts that
made the member clearable at submission are kept as JSON, because activity is decided again when
Customer Service processes the request and the two answers may differ.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from accounts.models import Account
from plexus_office.platform.queues import QueueItem
from plexus_office.platform.roles import CUSTOMER_SERVICE, member_of


class ClearKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer Clear Request")
    AMBASSADOR = "ambassador", _("Ambassador Clear Request")


class ClearStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("clear request", "Submitted")
    CLEARED = "cleared", pgettext_lazy("clear request", "Cleared")
    REJECTED = "rejected", pgettext_lazy("clear request", "Rejected")


class ClearRequest(FSMModelMixin, QueueItem):
    SLA_BUSINESS_DAYS = 1
    OPEN_STATES = (ClearStatus.SUBMITTED,)

    kind = models.CharField(max_length=10, choices=ClearKind.choices)
    requester = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="clear_requests_made")
    member = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="clear_requests")
    reason = models.TextField(blank=True, help_text="The requester's own words (optional).")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    as_of = models.DateField(help_text="The business day the request was filed and its facts decided.")
    facts = models.JSONField(default=dict, help_text="Activity verdict and facts at submission.")
    processing_facts = models.JSONField(
        null=True, blank=True, help_text="Activity verdict and facts when Customer Service processed it."
    )
    # Set by the gateway task once every removed card of the cleared member is gone at the gateway;
    # the sweep requeues cleared requests still missing it (the broker may lose an on_commit task).
    cards_deleted_at = models.DateTimeField(null=True, blank=True)
    status = FSMField(
        default=ClearStatus.SUBMITTED, choices=ClearStatus.choices, protected=True, db_index=True
    )

    class Meta:
        ordering = ["due_on", "submitted_at", "id"]
        constraints = [
            # One open request per member: a double submit or two requesters race to one row.
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="submitted"), name="clear_request_one_open_per_member"
            ),
        ]
        indexes = [
            # The queue's order is (due_on, id): with id in the index a page of the open (or overdue)
            # requests is its first rows, not a sort of every request due the same day.
            models.Index(fields=["status", "due_on", "id"], name="clear_status_due"),
            models.Index(fields=["requester", "-submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=ClearStatus.SUBMITTED,
        target=ClearStatus.CLEARED,
        permission=member_of(CUSTOMER_SERVICE),
        custom={"label": "Clear the member"},
    )
    def clear(self, by=None, description=None) -> None:
        """The member is cleared (the service cancels and removes the account)."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=ClearStatus.SUBMITTED,
        target=ClearStatus.REJECTED,
        permission=member_of(CUSTOMER_SERVICE),
        custom={"label": "Reject"},
    )
    def reject(self, by=None, description=None) -> None:
        """Not cleared, with a reason the requester is told."""
