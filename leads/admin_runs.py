"""Leads runs in the admin: the list, a run's page (placements, unplaced leads with their reasons,
the emails caused), and starting runs: a dry run (who would get whom and why, as
``assign_leads --dry-run``) and, from a dry run's page, the real run after a confirmation.

The dry run is computed in the request (the plan only: three reads). The real run writes up to
100,000 placements and their emails, so it is queued to the worker; it is idempotent, so a double
confirmation places nobody twice.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from leads.models import LeadRun
from leads.run_report import REASON_TEXT, placements_page, run_emails, unplaced_page
from leads.services import leads_assign
from leads.tasks import assign_leads_task
from plexus_office import clock
from plexus_office.platform.admin_base import ReadOnlyAdmin

START_PERM = "leads.start_leadrun"


class StartRunForm(forms.Form):
    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The business day the rules are applied for; blank means today.",
    )


class ConfirmRunForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have checked the dry run: place these leads and email them and their sponsors",
        error_messages={"required": "Confirm: tick the box to start the real run."},
    )


class LeadRunAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "as_of",
        "dry_run",
        "trigger",
        "started_by",
        "started_at",
        "state",
        "placed_count",
        "batch_count",
        "unplaced_count",
        "due_count",
        "qualified_sponsor_count",
        "open_sponsor_count",
    )
    list_filter = ("dry_run", "trigger", "as_of")
    list_select_related = ("started_by",)
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in LeadRun._meta.fields if f.name != "report"] + ["state"]
    change_list_template = "admin/leads/leadrun/change_list.html"

    def get_date_hierarchy_drilldown(self, lookup_params, date_lookup_params):
        return []

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("start/", wrap(self.start_view), name="leads_leadrun_start"),
            path("<int:pk>/place/", wrap(self.place_view), name="leads_leadrun_place"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {**(extra_context or {}), "can_start": request.user.has_perm(START_PERM)}
        return super().changelist_view(request, extra_context=extra)

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def start_view(self, request):
        if not request.user.has_perm(START_PERM):
            raise PermissionDenied
        form = StartRunForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            day: date = clock.today(form.cleaned_data["as_of"])
            with clock.frozen_at(form.cleaned_data["as_of"]):
                result = leads_assign(as_of=day, actor=request.user, dry_run=True, trigger="admin")
            self.message_user(
                request,
                f"Dry run #{result.run.pk}: {len(result.placements)} lead(s) would be placed, "
                f"{len(result.unplaced)} not placed. Nothing was changed.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:leads_leadrun_change", args=[result.run.pk]))
        return TemplateResponse(
            request,
            "admin/leads/leadrun/start.html",
            self._context(request, title="Start a Leads run", form=form),
            status=400 if request.method == "POST" else 200,
        )

    def place_view(self, request, pk: int):
        if not request.user.has_perm(START_PERM):
            raise PermissionDenied
        dry = get_object_or_404(LeadRun, pk=pk)
        if not dry.dry_run or not dry.finished_at or dry.error:
            self.message_user(request, "Only a finished dry run can be confirmed.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:leads_leadrun_change", args=[dry.pk]))
        form = ConfirmRunForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            as_of, actor_id = dry.as_of.isoformat(), request.user.pk
            transaction.on_commit(
                lambda: assign_leads_task.delay(as_of=as_of, actor_id=actor_id, trigger="admin")
            )
            self.message_user(
                request,
                f"The real run as of {dry.as_of} is started; it appears below when the worker "
                "picks it up (reload to follow it).",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:leads_leadrun_changelist"))
        return TemplateResponse(
            request,
            "admin/leads/leadrun/place.html",
            self._context(request, title=f"Place the leads of dry run #{dry.pk}", dry=dry, form=form),
            status=400 if request.method == "POST" else 200,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        if run is None or not self.has_view_permission(request, run):
            return super().change_view(request, object_id, form_url, extra_context)
        reason = request.GET.get("reason", "")
        reason = reason if reason in REASON_TEXT else ""
        placements, placement_rows = placements_page(run=run, page=request.GET.get("p", 1))
        unplaced, unplaced_rows, reason_counts = unplaced_page(
            run=run, page=request.GET.get("u", 1), reason=reason
        )
        emails = run_emails(run=run)
        context = self._context(
            request,
            title=str(run),
            run=run,
            original=run,
            placements=placements,
            placement_rows=placement_rows,
            unplaced=unplaced,
            unplaced_rows=unplaced_rows,
            reason=reason,
            reasons=[(code, REASON_TEXT.get(code, code), n) for code, n in sorted(reason_counts.items())],
            emails=emails[:200],
            email_count=emails.count(),
            can_start=request.user.has_perm(START_PERM),
        )
        return TemplateResponse(request, "admin/leads/leadrun/detail.html", context)
