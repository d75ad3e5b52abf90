"""Leads program admin: runs, batches, placements (with snapshot), qualified sponsors, the five rules
for any ambassador, and the Sponsor Correction queue for Customer Service."""

from __future__ import annotations

from datetime import date

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.models import Account
from accounts.selectors import lead_sponsor_verdict
from leads.admin_runs import LeadRunAdmin
from leads.models import LeadBatch, LeadPlacement, LeadRun, QualifiedSponsor, SponsorCorrection
from leads.selectors import qualified_sponsor_page_queryset
from leads.services import sponsor_correction_approve, sponsor_correction_reject
from plexus_office import clock
from plexus_office.dates import half_month
from plexus_office.platform.admin import QueueAdmin
from plexus_office.platform.admin_base import ReadOnlyAdmin
from plexus_office.platform.admin_polish import readable_facts

# Runs (list, run page, starting dry and real runs) live in admin_runs.py.
admin.site.register(LeadRun, LeadRunAdmin)


@admin.register(LeadBatch)
class LeadBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "sponsor", "half_month_start", "lead_count", "run", "created_at")
    list_select_related = ("sponsor", "run")
    search_fields = ("=sponsor__number",)
    list_filter = ("half_month_start",)
    raw_id_fields = ("sponsor", "run")


@admin.register(LeadPlacement)
class LeadPlacementAdmin(ReadOnlyAdmin):
    list_display = ("id", "lead", "sponsor", "as_of", "placed_at", "same_country", "run")
    list_select_related = ("lead", "sponsor", "run")
    search_fields = ("=lead__number", "=sponsor__number")
    list_filter = ("as_of", "same_country")
    fields = (
        "lead",
        "sponsor",
        "run",
        "batch",
        "as_of",
        "half_month_start",
        "placed_at",
        "listed_under_2_on",
        "same_country",
        "facts",
    )
    readonly_fields = fields

    @admin.display(description="why the sponsor qualified (snapshot at placement)")
    def facts(self, obj: LeadPlacement) -> str:
        return readable_facts(obj.snapshot)


@admin.register(QualifiedSponsor)
class QualifiedSponsorAdmin(ReadOnlyAdmin):
    """Every ambassador meeting the five rules today, longest wait first (the order leads go out)."""

    list_display = (
        "number",
        "name",
        "country",
        "title_rank",
        "last_lead_batch_on",
        "waiting",
        "open_now",
        "rules_link",
    )
    search_fields = ("=number", "name")
    list_filter = ("country",)
    change_list_template = "admin/leads/qualifiedsponsor/change_list.html"

    def get_queryset(self, request):
        # Never served first, then the oldest last batch, ties by number: the order leads go out in.
        return qualified_sponsor_page_queryset(as_of=clock.today()).order_by(
            F("last_lead_batch_on").asc(nulls_first=True), "number"
        )

    def get_ordering(self, request):
        return ()

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("leads.view_qualifiedsponsor")

    @admin.display(description="waiting since last lead")
    def waiting(self, obj: Account) -> str:
        if obj.last_lead_batch_on is None:
            return "never had leads"
        return f"{(clock.today() - obj.last_lead_batch_on).days} days"

    @admin.display(description="open this half-month", boolean=True)
    def open_now(self, obj: Account) -> bool:
        start, _end = half_month(clock.today())
        return obj.last_lead_batch_on is None or obj.last_lead_batch_on < start

    @admin.display(description="five rules")
    def rules_link(self, obj: Account) -> str:
        url = reverse("admin:leads_qualification")
        return format_html('<a href="{}?number={}">facts</a>', url, obj.number)

    def get_urls(self):
        view = self.admin_site.admin_view(self.qualification_view)
        return [path("rules/", view, name="leads_qualification"), *super().get_urls()]

    def qualification_view(self, request):
        """The five rules with their facts for any ambassador (``?number=N&as_of=YYYY-MM-DD``)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Leads program: the five rules for an ambassador",
            "number": "",
            "error": "",
        }
        raw_number = request.GET.get("number", "").strip()
        raw_day = request.GET.get("as_of", "").strip()
        context["as_of_value"] = raw_day
        if raw_number:
            context["number"] = raw_number
            day = None
            if raw_day:
                try:
                    day = date.fromisoformat(raw_day)
                except ValueError:
                    context["error"] = f"as_of: {raw_day!r} is not a date (YYYY-MM-DD)"
            account = Account.objects.filter(number=int(raw_number)).first() if raw_number.isdigit() else None
            if account is None and not context["error"]:
                context["error"] = f"number: no account {raw_number!r}"
            if not context["error"]:
                verdict = lead_sponsor_verdict(account=account, as_of=day)
                context.update(
                    account=account,
                    as_of=clock.today(day),
                    verdict=verdict,
                    rules=[(name, verdict.rules[name], verdict.explanations[name]) for name in verdict.rules],
                )
                context["facts_readable"] = readable_facts(verdict.facts)
        return TemplateResponse(request, "admin/leads/qualification.html", context)


@admin.register(SponsorCorrection)
class SponsorCorrectionAdmin(QueueAdmin):
    list_display = (
        "id",
        "account",
        "requested_sponsor",
        "sponsor_at_request",
        "status",
        "due",
        "assignee",
        "submitted_at",
    )
    list_select_related = ("account", "requested_sponsor", "sponsor_at_request", "assignee")
    search_fields = ("=account__number", "=requested_sponsor__number")
    raw_id_fields = ("account", "requested_sponsor", "sponsor_at_request", "submitted_by")
    readonly_fields = (
        "account",
        "requested_sponsor",
        "sponsor_at_request",
        "explanation",
        "submitted_by",
        *QueueAdmin.readonly_fields,
    )
    note_required_transitions = ("reject",)
    note_optional_transitions = ("approve",)

    def has_add_permission(self, request):
        return False  # members file requests; staff decide them

    def perform_transition(self, *, request, obj, transition_name: str, note: str) -> None:
        if transition_name == "approve":
            sponsor_correction_approve(correction=obj, actor=request.user, note=note)
        elif transition_name == "reject":
            sponsor_correction_reject(correction=obj, actor=request.user, note=note)
        else:
            raise ValueError(f"unknown action {transition_name!r}")
