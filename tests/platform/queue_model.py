"""A concrete queue used only by the platform tests.

Its table is created for the test session by ``tests/conftest.py`` (never by a migration), so the
real schema holds only real models. It lives in the platform app's registry for the test session only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from plexus_office.platform.queues import QueueItem
from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE, member_of


class DemoRequest(FSMModelMixin, QueueItem):
    SLA_BUSINESS_DAYS = 1
    OPEN_STATES = ("requested",)

    status = FSMField(
        default="requested",
        choices=[("requested", "Requested"), ("approved", "Approved"), ("rejected", "Rejected")],
        protected=True,
        db_index=True,
    )
    title = models.CharField(max_length=100, default="demo")
    # No database-level foreign keys: the table lives for the whole test session (other modules'
    # deletes of users cascade through it) and must never block a flush's TRUNCATE of auth_user.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        app_label = "platform"
        # Unmanaged: migrations, test-database serialization and flushes leave it alone.
        managed = False

    def __str__(self) -> str:
        return f"Demo request {self.pk}"

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source="requested", target="approved", permission=member_of(CUSTOMER_SERVICE))
    def approve(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source="requested", target="rejected", permission=member_of(CUSTOMER_SERVICE))
    def reject(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source="approved", target="requested", permission=member_of(FINANCE))
    def reopen(self, by=None, description=None) -> None:
        pass
