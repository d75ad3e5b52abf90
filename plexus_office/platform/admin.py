"""Platform admin: the ``QueueAdmin`` base programs reuse, and the email outbox.

A program's queue admin::

    @admin.register(ClearRequest)
    class ClearRequestAdmin(QueueAdmin):
        list_display = ("id", "member", "status", "due", "assignee")
        note_required_transitions = ("reject",)      # the button asks for a note first

        def perform_transition(self, *, request, obj, transition_name, note):
            # Call the program's service: it locks the row, transitions, saves, notifies.
            SERVICES[transition_name](request=obj, actor=request.user, note=note)

Who may press which button is declared on the transition itself, which django-fsm-2's admin reads
to show only the allowed buttons: ``@transition(..., permission=member_of(CUSTOMER_SERVICE))`` (a
callable from ``roles``) or a permission string ``permission="clearing.decide_clearrequest"`` granted
to the group in the program's migration. Seeing the queue at all is the model's view permission,
pressing buttons needs its change permission: grant both to the queue's group only.
"""

from __future__ import annotations

import logging
from typing import ClassVar

import django_fsm
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django_fsm.admin import FSMAdminMixin

from plexus_office.platform import admin_schedules  # noqa: F401 - registers the scoped beat admins
from plexus_office.platform.admin_base import (
    AssigneeFilter,
    AuditHistoryMixin,
    DueFilter,
    FastChangeListMixin,
    due_badge,
)
from plexus_office.platform.admin_polish import QueueStateFilter, transition_help_text
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.models import EmailOutbox, OutboxState
from plexus_office.platform.notifications import outbox_resend
from plexus_office.platform.queues import QueueError, QueueItemChanged, queue_claim

logger = logging.getLogger(__name__)


class RequiredNoteForm(forms.Form):
    # Named "description" because django-fsm-log's @fsm_log_description reads that keyword.
    description = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required: the member is told this reason.",
        error_messages={"required": "Note: a note is required for this decision."},
    )

    def clean_description(self):
        note = self.cleaned_data["description"].strip()
        if not note:
            raise forms.ValidationError("Note: a note is required for this decision.")
        return note


class OptionalNoteForm(forms.Form):
    description = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class QueueAdmin(AuditHistoryMixin, FastChangeListMixin, FSMAdminMixin, admin.ModelAdmin):
    fsm_fields = ["status"]
    change_form_template = "admin/platform/queue_change_form.html"
    list_filter = (QueueStateFilter, DueFilter, AssigneeFilter)  # open items by default
    list_select_related: ClassVar[tuple[str, ...]] = ("assignee",)
    readonly_fields = (
        "submitted_at",
        "due_on",
        "assignee",
        "claimed_at",
        "decided_at",
        "decided_by",
        "decision_note",
    )
    ordering = ("due_on", "id")
    actions = ["claim_selected"]
    # Transitions whose button opens a form with a required note (rejections).
    note_required_transitions: tuple[str, ...] = ()
    # Transitions whose button opens a form with an optional note.
    note_optional_transitions: tuple[str, ...] = ()

    @property
    def count_states(self):  # type: ignore[override]
        return tuple(self.model.OPEN_STATES)

    # --- what the change form may write: the staff-editable fields, conditionally, nothing else ---

    version_post_param = "_queue_version"

    def get_readonly_fields(self, request, obj=None):
        # By construction: every concrete field except the few staff edit by hand is read-only for
        # every group (superusers included), so a Save can never carry internal fields or state.
        declared = list(super().get_readonly_fields(request, obj))
        editable = set(self.model.STAFF_EDITABLE_FIELDS)
        for field in self.model._meta.fields:
            if field.name not in editable and field.name not in declared and field.editable:
                declared.append(field.name)
        return tuple(name for name in declared if name not in editable)

    def get_exclude(self, request, obj=None):
        return (*(super().get_exclude(request, obj) or ()), "version")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            # Only staff can hold a queue item; the list stays short at a million members.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _posted_version(self, request) -> int | None:
        raw = request.POST.get(self.version_post_param, "")
        return int(raw) if raw.isdigit() and len(raw) < 10 else None

    def _stale(self, request, obj) -> bool:
        """The page was rendered from an older version than the row has now."""
        posted = self._posted_version(request)
        current = type(obj)._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
        return posted is not None and current is not None and posted != current

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        request._queue_conflict = None
        if request.POST.get(self.fsm_post_param) or "_claim" in request.POST:
            return None  # a button never saves form fields: the transition service writes the row
        fields = [name for name in form.changed_data if name in self.model.STAFF_EDITABLE_FIELDS]
        posted = self._posted_version(request)
        if posted is not None:
            obj._loaded_version = posted  # conditional on what the user saw, not on this POST's read
        try:
            with transaction.atomic():  # a savepoint: a refused write leaves the request usable
                self._save_editable(request, obj, fields)
        except QueueItemChanged as err:
            request._queue_conflict = err
        return None

    def _save_editable(self, request, obj, fields: list[str]) -> None:
        if self._stale(request, obj):
            raise QueueItemChanged(obj)
        if fields:
            before = type(obj)._default_manager.filter(pk=obj.pk).values(*fields).first() or {}
            obj.save(update_fields=fields)
            audit_record(
                actor=request.user,
                obj=obj,
                action=AuditAction.EDIT,
                changes={name: (before.get(name), getattr(obj, name)) for name in fields},
            )

    def log_change(self, request, obj, message):
        if getattr(request, "_queue_conflict", None) is None:
            return super().log_change(request, obj, message)
        return None

    def response_change(self, request, obj):
        conflict = getattr(request, "_queue_conflict", None)
        if conflict is None and request.POST.get(self.fsm_post_param) and self._stale(request, obj):
            conflict = QueueItemChanged(obj)
        if conflict is not None:
            self.message_user(request, str(conflict), messages.ERROR)
            return HttpResponseRedirect(request.path)
        return self._response_change(request, obj)

    @admin.display(description="due", ordering="due_on")
    def due(self, obj):
        return due_badge(obj)

    def get_help_text(self, transition):  # what the transition does (its docstring), not "None"
        return transition_help_text(transition)

    # --- transition forms and the refusal paths ---

    def get_fsm_transition_form(self, transition):
        if transition.name in self.note_required_transitions:
            return RequiredNoteForm
        if transition.name in self.note_optional_transitions:
            return OptionalNoteForm
        return super().get_fsm_transition_form(transition)

    def _known_transition(self, obj, name: str) -> bool:
        func = getattr(obj, name, None) if name else None
        return callable(func) and hasattr(func, "_django_fsm")

    def _response_change(self, request, obj):
        name = request.POST.get(self.fsm_post_param)
        if name and not self._known_transition(obj, name):
            self.message_user(request, f"'{name}' is not an action on this request.", messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def fsm_transition_view(self, request, object_id, transition_name, **kwargs):
        obj = self.get_object(request, object_id)
        if obj is not None and not self._known_transition(obj, transition_name):
            self.message_user(
                request, f"'{transition_name}' is not an action on this request.", messages.ERROR
            )
            return HttpResponseRedirect(self._change_url(obj))
        if obj is not None and not self.has_change_permission(request, obj):
            self.message_user(request, "You may not change this request.", messages.ERROR)
            return HttpResponseRedirect(self._change_url(obj))
        return super().fsm_transition_view(request, object_id, transition_name, **kwargs)

    def _change_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        """Every path (button or form) ends here: permission, note, then the program's service."""
        transition = self._get_fsm_transition_by_name(obj=obj, transition_name=transition_name)
        label = self.get_fsm_label(transition)
        if not transition.has_perm(obj, request.user):
            self.message_user(request, f"You may not {label} this request.", messages.ERROR)
            return False
        note = str((kwargs or {}).get("description") or "").strip()
        if transition_name in self.note_required_transitions and not note:
            self.message_user(request, f"A note is required to {label}.", messages.ERROR)
            return False
        try:
            self.perform_transition(request=request, obj=obj, transition_name=transition_name, note=note)
        except django_fsm.TransitionNotAllowed:
            self.message_user(
                request, f"Cannot {label} this request in its current state; reload the page.", messages.ERROR
            )
            return False
        except QueueItemChanged as err:
            self.message_user(request, str(err), messages.ERROR)
            return False
        except django_fsm.ConcurrentTransition:
            self.message_user(
                request, "Someone else changed this request meanwhile; reload the page.", messages.ERROR
            )
            return False
        except ValueError as err:  # the program's refusal (QueueError, rule checks) has a clear message
            self.message_user(request, f"Cannot {label}: {err}", messages.ERROR)
            return False
        self.message_user(request, f"Done: {label}.", messages.SUCCESS)
        return True

    def perform_transition(self, *, request, obj, transition_name: str, note: str) -> None:
        """Default: lock, transition (logged by django-fsm-log), stamp the decision, save.

        Programs whose transitions have side effects (emails, payments) override this to call their
        service instead.
        """
        model = type(obj)
        with transaction.atomic():
            locked = model._default_manager.select_for_update().get(pk=obj.pk)
            getattr(locked, transition_name)(by=request.user, description=note or None)
            if locked.status not in model.OPEN_STATES:
                locked.record_decision(actor=request.user, note=note)
            locked.save()

    # --- claim ---

    @admin.action(description="Claim the selected requests")
    def claim_selected(self, request, queryset):
        claimed, refused = 0, []
        for item in queryset.select_related(None)[:200]:
            try:
                queue_claim(item=item, actor=request.user)
                claimed += 1
            except QueueError as err:
                refused.append(str(err))
        if claimed:
            self.message_user(request, f"Claimed {claimed} request(s).", messages.SUCCESS)
        for reason in refused[:10]:
            self.message_user(request, reason, messages.WARNING)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and "_claim" in request.POST:
            obj = self.get_object(request, object_id)
            if obj is None or not self.has_change_permission(request, obj):
                self.message_user(request, "You may not claim this request.", messages.ERROR)
            else:
                try:
                    queue_claim(item=obj, actor=request.user)
                    self.message_user(request, "You hold this request now.", messages.SUCCESS)
                except QueueError as err:
                    self.message_user(request, str(err), messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().change_view(request, object_id, form_url=form_url, extra_context=extra_context)


@admin.register(EmailOutbox)
class EmailOutboxAdmin(AuditHistoryMixin, FastChangeListMixin, admin.ModelAdmin):
    state_field = "state"
    count_states = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.FAILED)
    list_display = ("created_at", "to_email", "subject", "event", "state_badge", "attempts", "sent_at")
    list_filter = ("state",)
    search_fields = ("=to_email",)
    ordering = ("-created_at", "-id")
    actions = ["resend"]
    readonly_fields = [f.name for f in EmailOutbox._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="state", ordering="state")
    def state_badge(self, obj):
        css = {"failed": "queue-overdue", "sent": "", "sending": "queue-today", "pending": "queue-today"}
        return format_html(
            '<span class="queue-badge {}">{}</span>', css.get(obj.state, ""), obj.get_state_display()
        )

    @admin.action(description="Resend the selected emails", permissions=["change"])
    def resend(self, request, queryset):
        count = outbox_resend(
            outbox_ids=list(queryset.values_list("pk", flat=True)[:500]), actor=request.user
        )
        self.message_user(request, f"{count} email(s) queued again.", messages.SUCCESS)
