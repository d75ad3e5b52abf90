"""The request-queue base that clearing, refunds and sponsor corrections share.

A program's queue model subclasses ``QueueItem`` next to its ``FSMModelMixin`` and declares its
``status`` FSMField, ``OPEN_STATES`` (the states staff still have to act on) and
``SLA_BUSINESS_DAYS`` (the deadline, in business days after the submission day)::

    class ClearRequest(FSMModelMixin, QueueItem):
        SLA_BUSINESS_DAYS = 1
        OPEN_STATES = ("requested",)
        status = FSMField(default="requested", choices=..., protected=True, db_index=True)

The service that creates an item sets ``due_on=ClearRequest.due_date_from(clock.today())``; the
transition services call ``item.record_decision(actor=..., note=...)`` before saving.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django_fsm import ConcurrentTransition

from plexus_office import clock
from plexus_office.platform.actors import actor_user
from plexus_office.platform.audit import AuditAction, audit_history, audit_record
from plexus_office.platform.business_days import add_business_days
from plexus_office.platform.errors import Refused


class QueueError(Refused):
    """A queue operation that cannot be done (held by someone else, already closed)."""


class QueueItemChanged(ConcurrentTransition):
    """A write based on a stale copy: someone else changed the item since it was read.

    The message names who and when (from the audit trail) so the loser knows to reload; nothing of
    theirs was written.
    """

    def __init__(self, item: QueueItem) -> None:
        self.item = item
        who, when = _last_change(item)
        at = f" at {timezone.localtime(when):%Y-%m-%d %H:%M:%S %Z}" if when else ""
        super().__init__(
            f"{item} was changed by {who}{at} meanwhile; nothing of yours was saved. "
            "Reload the page and decide again."
        )


def _last_change(item: QueueItem) -> tuple[str, Any]:
    history = audit_history(item) if item.pk else []
    if history:
        return history[0]["who"], history[0]["when"]
    return "someone else", None


class QueueItem(models.Model):
    SLA_BUSINESS_DAYS: ClassVar[int] = 1
    OPEN_STATES: ClassVar[tuple[str, ...]] = ()
    status: str  # declared by each concrete queue model (its FSMField); an annotation only here

    submitted_at = models.DateTimeField(default=clock.now)
    due_on = models.DateField(db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    staff_note = models.TextField(
        "internal note", blank=True, help_text="For colleagues only; never shown to the member."
    )
    # Optimistic lock: every write of a loaded item is ``UPDATE ... WHERE version = <read> AND
    # status = <read>`` and bumps it, so a stale copy can never overwrite a newer decision.
    version = models.PositiveIntegerField(default=0, editable=False)

    # The fields staff edit by hand on the change page; everything else moves only through services.
    STAFF_EDITABLE_FIELDS: ClassVar[tuple[str, ...]] = ("assignee", "staff_note")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        loaded: int | None = getattr(self, "_loaded_version", None)
        if self._state.adding or loaded is None:
            super().save(*args, **kwargs)
            self._remember_loaded()
            return
        previous = self.version
        self.version = loaded + 1
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        try:
            # A savepoint: a refused write must not poison the caller's transaction.
            with transaction.atomic():
                super().save(*args, **kwargs)
        except QueueItemChanged:
            self.version = previous
            raise
        self._remember_loaded()

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._remember_loaded()
        return obj

    def _remember_loaded(self) -> None:
        self._loaded_version = self.__dict__.get("version")
        self._loaded_status = self.__dict__.get("status")

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._remember_loaded()

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected: dict[str, Any] = {}
        loaded_version = getattr(self, "_loaded_version", None)
        if loaded_version is not None:
            expected["version"] = loaded_version
            if getattr(self, "_loaded_status", None) is not None:
                expected["status"] = self._loaded_status
        updated = super()._do_update(
            base_qs.filter(**expected), using, pk_val, values, update_fields, forced_update
        )
        if not updated and expected and base_qs.filter(pk=pk_val).exists():
            raise QueueItemChanged(self)
        return updated

    @classmethod
    def due_date_from(cls, submitted_on: date) -> date:
        return add_business_days(submitted_on, cls.SLA_BUSINESS_DAYS)

    @property
    def is_open(self) -> bool:
        return getattr(self, "status", None) in self.OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < clock.today()

    def record_decision(self, *, actor: Any, note: str = "") -> None:
        """Stamp who decided and why; the caller saves (inside its transition service)."""
        self.decided_at = clock.now()
        self.decided_by = actor_user(actor)
        self.decision_note = note


def queue_claim(*, item: QueueItem, actor: Any) -> QueueItem:
    """Make ``actor`` the assignee of an open item that nobody else holds.

    One conditional UPDATE decides the race: of two staff claiming at once, one wins and the other
    gets a QueueError naming the holder. Claiming an item you already hold is a no-op success.
    """
    if actor is None or not getattr(actor, "pk", None):
        raise QueueError("not_staff", "a signed-in staff user is required to claim", field="actor")
    model = type(item)
    now = clock.now()
    with transaction.atomic():
        rows = model._default_manager.filter(pk=item.pk)
        if model.OPEN_STATES:
            # Every concrete queue model has ``status``; the abstract base the stubs see does not.
            rows = rows.filter(status__in=model.OPEN_STATES)  # type: ignore[misc]
        claimed = rows.filter(assignee__isnull=True).update(
            assignee=actor, claimed_at=now, version=F("version") + 1
        )
        current = model._default_manager.select_related("assignee").get(pk=item.pk)
        if claimed:
            audit_record(
                actor=actor, obj=current, action=AuditAction.CLAIM, changes={"assignee": (None, str(actor))}
            )
        elif model.OPEN_STATES and current.status not in model.OPEN_STATES:
            raise QueueError(
                "already_closed", f"{current} is already closed ({current.status}); nothing to claim"
            )
        elif current.assignee_id != actor.pk:
            holder = current.assignee.get_username() if current.assignee else "someone else"
            raise QueueError("already_claimed", f"{current} is already claimed by {holder}")
    item.assignee = current.assignee
    item.claimed_at = current.claimed_at
    item.version = current.version
    item._remember_loaded()
    return item


def queue_release(*, item: QueueItem, actor: Any) -> QueueItem:
    """Give back an item ``actor`` holds so a colleague can claim it."""
    model = type(item)
    with transaction.atomic():
        updated = model._default_manager.filter(pk=item.pk, assignee=actor).update(
            assignee=None, claimed_at=None, version=F("version") + 1
        )
        if not updated:
            raise QueueError("not_claimed", f"{item} is not claimed by {actor}; nothing to release")
        audit_record(
            actor=actor, obj=item, action=AuditAction.RELEASE, changes={"assignee": (str(actor), None)}
        )
        item.version = model._default_manager.values_list("version", flat=True).get(pk=item.pk)
    item.assignee = None
    item.claimed_at = None
    item._remember_loaded()
    return item
