"""Customer Service queue of clear requests (platform QueueAdmin: due badge, claim, transitions)."""

from __future__ import annotations

from django.contrib import admin, messages

from clearing.models import ClearRequest, ClearStatus
from clearing.services import clear_request_clear, clear_request_reject
from plexus_office.platform.admin import QueueAdmin
from plexus_office.platform.admin_polish import readable_facts


@admin.register(ClearRequest)
class ClearRequestAdmin(QueueAdmin):
    list_display = ("id", "kind", "member", "requester", "status", "due", "assignee", "submitted_at")
    list_select_related = ("member", "requester", "assignee")
    list_filter = ("kind", *QueueAdmin.list_filter)
    search_fields = ("=member__number", "=requester__number")
    fields = (
        "kind",
        "member",
        "requester",
        "reason",
        "status",
        "as_of",
        "submitted_facts",
        "processing_facts_view",
        "submitted_by",
        "cards_deleted_at",
        *QueueAdmin.readonly_fields,
        "staff_note",
    )
    readonly_fields = (
        "kind",
        "member",
        "requester",
        "reason",
        "status",
        "as_of",
        "submitted_facts",
        "processing_facts_view",
        "submitted_by",
        "cards_deleted_at",
        *QueueAdmin.readonly_fields,
    )
    note_required_transitions = ("reject",)
    note_optional_transitions = ("clear",)

    def has_add_permission(self, request):
        return False  # ambassadors file requests; Customer Service decides them

    def has_delete_permission(self, request, obj=None):
        return False  # the queue is the record of what was asked and decided

    @admin.display(description="facts at submission")
    def submitted_facts(self, obj: ClearRequest) -> str:
        return readable_facts(obj.facts)

    @admin.display(description="facts at processing")
    def processing_facts_view(self, obj: ClearRequest) -> str:
        if obj.processing_facts is None:
            return "—"
        return readable_facts(obj.processing_facts)

    def perform_transition(self, *, request, obj, transition_name: str, note: str) -> None:
        if transition_name == "clear":
            done = clear_request_clear(request=obj, actor=request.user, note=note)
            if done.status == ClearStatus.REJECTED:
                # Activity is decided again at processing: the service rejected instead of clearing.
                self.message_user(
                    request, f"Not cleared; rejected automatically: {done.decision_note}", messages.WARNING
                )
        elif transition_name == "reject":
            clear_request_reject(request=obj, actor=request.user, note=note)
        else:
            raise ValueError(f"unknown action {transition_name!r}")
