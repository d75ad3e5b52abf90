"""Leads program records: runs, per-sponsor batches and per-lead placements.

The unique constraints are the last line of defence against two runs racing: a lead listed under "2"
on a given day is placed at most once, and a sponsor gets at most one batch per half-month.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from accounts.models import Account
from plexus_office.platform.queues import QueueItem
from plexus_office.platform.roles import CUSTOMER_SERVICE, member_of


class LeadRun(models.Model):
    """One execution of the placement (scheduled, command or admin), dry or real."""

    SCENARIO_RESET = True  # run-level data: load_scenario wipes it with the member data

    as_of = models.DateField(help_text="The business day the rules were applied for.")
    dry_run = models.BooleanField(default=False)
    trigger = models.CharField(max_length=20, default="command", help_text="command, schedule or admin.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="Blank: still running or interrupted."
    )
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    due_count = models.PositiveIntegerField(default=0)
    placed_count = models.PositiveIntegerField(default=0)
    unplaced_count = models.PositiveIntegerField(default=0)
    qualified_sponsor_count = models.PositiveIntegerField(default=0)
    open_sponsor_count = models.PositiveIntegerField(default=0)
    batch_count = models.PositiveIntegerField(default=0)
    query_count = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    # What the run decided, for its admin page: {"unplaced": [[lead number, reason], ...],
    # "placements": [[lead, sponsor, same country], ...] (dry runs only: real runs have LeadPlacement
    # rows)}; each list capped at REPORT_CAP entries, the totals are the counts above.
    report = models.JSONField(default=dict, blank=True)

    REPORT_CAP = 20_000

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["-started_at"])]
        permissions = [("start_leadrun", "Can start a Leads run (dry or real) from the admin")]

    def __str__(self) -> str:
        kind = "dry run" if self.dry_run else "run"
        return f"Leads {kind} #{self.pk} as of {self.as_of}"

    @property
    def state(self) -> str:
        if self.error:
            return "failed"
        return "finished" if self.finished_at else "running or interrupted"


class LeadBatch(models.Model):
    """All leads one sponsor received in one half-month (days 1-15 or 16-end)."""

    run = models.ForeignKey(LeadRun, on_delete=models.CASCADE, related_name="batches")
    # No single-column index: the unique (sponsor, half_month_start) serves every lookup by sponsor.
    sponsor = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="lead_batches", db_index=False
    )
    half_month_start = models.DateField()
    created_at = models.DateTimeField()
    lead_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-half_month_start", "sponsor"]
        verbose_name_plural = "lead batches"
        constraints = [
            models.UniqueConstraint(
                fields=["sponsor", "half_month_start"], name="lead_batch_one_per_half_month"
            ),
        ]

    def __str__(self) -> str:
        return f"Batch for {self.sponsor_id} from {self.half_month_start}"


class LeadPlacement(models.Model):
    """Stage 1: one lead placed with one sponsor, with the facts that made the sponsor qualify."""

    run = models.ForeignKey(LeadRun, on_delete=models.CASCADE, related_name="placements")
    batch = models.ForeignKey(LeadBatch, on_delete=models.CASCADE, related_name="placements")
    # No single-column indexes: the unique (lead, listing) and the (sponsor, -placed_at) index lead
    # with these columns and serve every lookup; a Leads run writes 100k rows into each index.
    lead = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="lead_placements", db_index=False
    )
    sponsor = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="placed_leads", db_index=False
    )
    # The listing this placement ended: a lead moved back under "2" later (a correction, a roll-up)
    # is a new listing and may be placed again; the same listing never twice.
    listed_under_2_on = models.DateField()
    placed_at = models.DateTimeField()
    as_of = models.DateField()
    half_month_start = models.DateField()
    same_country = models.BooleanField(default=True)
    snapshot = models.JSONField(help_text="The sponsor's five rules with their facts at placement time.")

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "listed_under_2_on"], name="lead_placed_once_per_listing"
            ),
        ]
        indexes = [models.Index(fields=["sponsor", "-placed_at"])]

    def __str__(self) -> str:
        return f"Lead {self.lead_id} -> {self.sponsor_id} ({self.as_of})"


class CorrectionStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("sponsor correction", "Submitted")
    APPROVED = "approved", pgettext_lazy("sponsor correction", "Approved")
    REJECTED = "rejected", pgettext_lazy("sponsor correction", "Rejected")


class SponsorCorrection(FSMModelMixin, QueueItem):
    """A member asks to be moved to the sponsor they meant; Customer Service decides in 2 business days."""

    SLA_BUSINESS_DAYS = 2
    OPEN_STATES = (CorrectionStatus.SUBMITTED,)

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sponsor_corrections")
    requested_sponsor = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    # The sponsor at submission time; the move itself reads the sponsor again when approved.
    sponsor_at_request = models.ForeignKey(Account, null=True, on_delete=models.CASCADE, related_name="+")
    explanation = models.TextField(blank=True, help_text="The member's own words: who they meant and why.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = FSMField(
        default=CorrectionStatus.SUBMITTED, choices=CorrectionStatus.choices, protected=True, db_index=True
    )

    class Meta:
        ordering = ["due_on", "submitted_at", "id"]
        constraints = [
            # One open request per account, even when two submissions race.
            models.UniqueConstraint(
                fields=["account"], condition=Q(status="submitted"), name="sponsor_correction_one_open"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"Sponsor correction #{self.pk}"

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=CorrectionStatus.SUBMITTED,
        target=CorrectionStatus.APPROVED,
        permission=member_of(CUSTOMER_SERVICE),
    )
    def approve(self, by=None, description=None) -> None:
        """The account moves to the requested sponsor (the service does the move)."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=CorrectionStatus.SUBMITTED,
        target=CorrectionStatus.REJECTED,
        permission=member_of(CUSTOMER_SERVICE),
    )
    def reject(self, by=None, description=None) -> None:
        """Refused with a reason the member is told."""


class QualifiedSponsor(Account):
    """Admin list of the ambassadors who qualify today, with their wait since the last lead."""

    class Meta:
        proxy = True
        verbose_name = "qualified sponsor"
        verbose_name_plural = "qualified sponsors"
