"""Admin for autoship charges, shipments and pay: Finance previews and commits a period's payout.

Imported from ``accounts/admin.py``. The payout page is a two-step form: the preview shows the
totals and every earner carried negative; "Commit" writes the statements. A second commit of the same
period is refused by the service (the period is unique), whatever the page showed.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.models import Account
from accounts.models_billing import PayRun, Shipment, Statement, StatementLine, SubscriptionCharge
from accounts.pay.services import pay_period_commit, pay_period_preview
from plexus_office import clock
from plexus_office.admin_paginator import EstimatedCountAdminMixin
from plexus_office.dates import add_months, month_start, parse_month
from plexus_office.platform.errors import Refused


@admin.register(SubscriptionCharge)
class SubscriptionChargeAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    list_display = (
        "subscription",
        "month",
        "status",
        "attempts",
        "next_attempt_on",
        "amount",
        "order",
        "last_error",
    )
    list_filter = ("status", "month")
    search_fields = ("account__number", "account__name")
    raw_id_fields = ("subscription", "account", "order")
    readonly_fields = [f.name for f in SubscriptionCharge._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Shipment)
class ShipmentAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    """The warehouse records the carrier and tracking number, then the delivery."""

    list_display = ("order", "carrier", "tracking_number", "shipped_on", "delivered_on")
    list_filter = ("carrier", "shipped_on")
    search_fields = ("order__ref", "tracking_number")
    raw_id_fields = ("order",)


class StatementLineInline(admin.TabularInline):
    model = StatementLine
    fields = ("earned_on", "kind", "description", "order_ref", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Statement)
class StatementAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    list_display = ("period", "earner", "earnings", "reversals", "carried_in", "net_paid", "carried_forward")
    list_filter = ("period",)
    search_fields = ("earner__number", "earner__name")
    raw_id_fields = ("earner", "run", "carried_entry")
    readonly_fields = [f.name for f in Statement._meta.fields]
    inlines = [StatementLineInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PayoutForm(forms.Form):
    period = forms.CharField(label="Period (YYYY-MM)", max_length=7)

    def clean_period(self) -> date:
        try:
            return parse_month(self.cleaned_data["period"].strip())
        except ValueError:
            raise forms.ValidationError("Period: enter a month as YYYY-MM, e.g. 2026-03.") from None


@admin.register(PayRun)
class PayRunAdmin(admin.ModelAdmin):
    list_display = (
        "period",
        "statements_count",
        "earnings",
        "reversals",
        "carried_in",
        "net_paid",
        "carried_forward",
        "committed_at",
        "committed_by",
        "source",
    )
    readonly_fields = [f.name for f in PayRun._meta.fields]
    change_list_template = "admin/accounts/payrun/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("payout/", self.admin_site.admin_view(self.payout_view), name="accounts_payrun_payout"),
            *super().get_urls(),
        ]

    def payout_view(self, request):
        if not request.user.has_perm("accounts.add_payrun"):
            raise PermissionDenied("Only Finance runs payouts.")
        default = add_months(month_start(clock.today()), -1)
        form = PayoutForm(request.POST or request.GET or None, initial={"period": f"{default:%Y-%m}"})
        preview = None
        if form.is_bound and form.is_valid():
            period = form.cleaned_data["period"]
            if request.method == "POST" and request.POST.get("commit") == "yes":
                try:
                    run = pay_period_commit(period=period, actor=request.user)
                except Refused as refusal:
                    messages.error(request, refusal.message)
                else:
                    messages.success(
                        request,
                        f"Payout of {run.period:%B %Y} committed: {run.statements_count} statements, "
                        f"{run.net_paid} paid, {run.carried_forward} carried to the next period.",
                    )
                    return redirect(reverse("admin:accounts_payrun_changelist"))
            try:
                preview = pay_period_preview(period=period)
            except Refused as refusal:
                form.add_error("period", refusal.message)
        names = {}
        if preview is not None:
            ids = [e.earner_id for e in preview.negative_earners[:200]]
            names = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
        context = {
            **self.admin_site.each_context(request),
            "title": "Run a payout",
            "form": form,
            "preview": preview,
            "negatives": [(names.get(e.earner_id), e) for e in preview.negative_earners[:200]]
            if preview
            else [],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/payrun/payout.html", context)
