"""Admin building blocks every queue page shares: cheap counts, filters, badges, history.

Kept apart from ``admin.py`` (which registers the platform's own models) so program admins import
them without side effects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Count, Field, Model
from django.utils.html import format_html

from plexus_office import clock
from plexus_office.admin_paginator import EstimatedCountPaginator
from plexus_office.platform.admin_polish import OPEN, QueueStateFilter
from plexus_office.platform.audit import audit_history
from plexus_office.platform.business_days import add_business_days

if TYPE_CHECKING:
    from django.template.response import _TemplateForResponseT


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened (runs, placements, reversals, payouts): never added or edited by hand."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FastChangeListMixin:
    """No full-table ``count(*)``: estimated paginator, no "show all N" count, and one group-by for
    the per-state counts shown above the list (restricted to ``count_states`` so it rides the index).
    """

    model: type[Model]  # provided by the ModelAdmin this is mixed into

    show_full_result_count: ClassVar[bool] = False
    paginator: ClassVar[type[Paginator]] = EstimatedCountPaginator
    list_per_page: ClassVar[int] = 50
    # Subclasses set: the state field and which states get a live count above the list.
    state_field = "status"
    count_states: tuple[str, ...] = ()
    change_list_template: ClassVar[_TemplateForResponseT | None] = "admin/platform/fast_change_list.html"

    def state_counts(self, request) -> list[dict[str, Any]]:
        # The state field is a concrete (choices) field, not a relation.
        field = cast(Field, self.model._meta.get_field(self.state_field))
        labels = dict(field.flatchoices)
        qs = self.model._default_manager.filter(**{f"{self.state_field}__in": self.count_states})
        counts = {
            row[self.state_field]: row["n"]
            for row in qs.values(self.state_field).annotate(n=Count("pk")).order_by()
        }
        return [
            {
                "state": s,
                "label": labels.get(s, s),
                "count": counts.get(s, 0),
                "param": f"{self.state_field}__exact",
            }
            for s in self.count_states
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        # Permission first (cached on the user for the rest of the request): no counts for outsiders.
        if self.count_states and self.has_view_or_change_permission(request):
            extra_context["state_counts"] = self.state_counts(request)
        return super().changelist_view(request, extra_context=extra_context)


class AuditHistoryMixin:
    """Shows the object's transitions (django-fsm-log) and other audited actions (auditlog) on its
    change page, newest first. Works with any change form template that includes
    ``admin/platform/_audit_history.html`` (the platform's templates do)."""

    change_form_template: ClassVar[_TemplateForResponseT | None] = "admin/platform/audit_change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context["audit_history"] = audit_history(obj)
        return super().change_view(request, object_id, form_url=form_url, extra_context=extra_context)


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("today", "Due today"),
            ("next", "Due in the next 2 business days"),
            ("later", "Due later"),
        ]

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        # The queue's state filter already keeps only the open items unless another state is chosen.
        # Repeating ``status IN (...)`` made PostgreSQL count its selectivity twice (17 rows estimated
        # for 22,828 overdue at 1M refunds) and sort them all instead of reading `refund_open_due`.
        state_filter = QueueStateFilter.parameter_name
        self.open_only_already = QueueStateFilter in getattr(model_admin, "list_filter", ()) and (
            request.GET.get(state_filter) in (None, "", OPEN)
        )

    def queryset(self, request, queryset):
        today = clock.today()
        open_states = getattr(queryset.model, "OPEN_STATES", ())
        value = self.value()
        if value == "overdue":
            overdue = queryset.filter(due_on__lt=today)
            return overdue if self.open_only_already else overdue.filter(status__in=open_states)
        if value == "today":
            return queryset.filter(due_on=today)
        if value == "next":
            return queryset.filter(due_on__gt=today, due_on__lte=add_business_days(today, 2))
        if value == "later":
            return queryset.filter(due_on__gt=add_business_days(today, 2))
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("me", "Me"), ("unassigned", "Unassigned"), ("others", "Someone else")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value == "unassigned":
            return queryset.filter(assignee__isnull=True)
        if value == "others":
            return queryset.filter(assignee__isnull=False).exclude(assignee=request.user)
        return queryset


def due_badge(obj) -> str:
    """The due date, red when the item is overdue, amber when it is due today."""
    if obj.due_on is None:
        return "—"
    day = obj.due_on.isoformat()
    if obj.is_overdue:
        late = (clock.today() - obj.due_on).days
        return format_html(
            '<span class="queue-badge queue-overdue" title="overdue by {} day(s)">{} · overdue</span>',
            late,
            day,
        )
    if obj.is_open and obj.due_on == clock.today():
        return format_html('<span class="queue-badge queue-today">{} · today</span>', day)
    return day
