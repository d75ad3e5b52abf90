"""The refund queue: Customer Service (authorize, reject, file for a member), Returns (package
received, refused shipment), Finance (refund, retry). Buttons come from the transitions' group
permissions; every button calls the service, never the transition directly."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import admin, messages
from django.db.models import Prefetch, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from accounts.models import Account, Order, Product
from plexus_office.platform.admin import QueueAdmin, RequiredNoteForm
from plexus_office.platform.admin_base import ReadOnlyAdmin
from plexus_office.platform.roles import RETURNS, member_of
from refunds.admin_request import request_for_member_view
from refunds.models import BonusReversal, Payout, Refund, RefundLine, ReturnMethod
from refunds.payments import refund_pay
from refunds.selectors import refund_pay_window
from refunds.services import (
    RefundRefused,
    refund_authorize,
    refund_receive,
    refund_receive_refused_shipment,
    refund_reject,
    refunds_from_refused_shipment,
)


class ReceiveForm(forms.ModelForm):
    """The package at the warehouse: its RA number, and which of the return's products are missing."""

    ra_number = forms.CharField(label="RA number on the package", max_length=20)
    missing = forms.TypedMultipleChoiceField(
        label="Missing from the package (not refunded)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    postage_paid_by_customer = forms.BooleanField(
        label="Customer paid postage at the post office (no deduction)", required=False
    )
    description = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    class Meta:
        model = Refund
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        lines = self.instance.lines.select_related("product") if self.instance.pk else []
        cast(forms.TypedMultipleChoiceField, self.fields["missing"]).choices = [
            (line.product_id, f"{line.product.name} ({line.product.sku}) × {line.qty}") for line in lines
        ]
        if self.instance.return_method == ReturnMethod.POST_OFFICE:
            self.fields["postage_paid_by_customer"].initial = True


class NoteForm(forms.Form):
    description = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RefusedShipmentForm(forms.Form):
    order = forms.CharField(label="Order reference", max_length=40)
    skus = forms.CharField(label="SKU(s) in the returned shipment", help_text="Separated by commas.")
    description = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}), required=False)


def _order_and_products(form: forms.Form) -> tuple[Order, list[Product]]:
    order = Order.objects.filter(ref=form.cleaned_data["order"].strip()).select_related("account").first()
    if order is None:
        raise RefundRefused("order", f"there is no order {form.cleaned_data['order']!r}", field="order")
    skus = [s.strip() for s in form.cleaned_data["skus"].split(",") if s.strip()]
    products = list(Product.objects.filter(sku__in=skus))
    missing = sorted(set(skus) - {p.sku for p in products})
    if missing or not skus:
        raise RefundRefused("skus", f"unknown SKU(s): {', '.join(missing) or 'none given'}", field="skus")
    if len(set(skus)) != len(skus):
        raise RefundRefused("duplicate_product", "name each SKU once", field="skus")
    return order, sorted(products, key=lambda p: skus.index(p.sku))


@admin.register(Refund)
class RefundAdmin(QueueAdmin):
    list_display = (
        "id",
        "account",
        "order",
        "products",
        "reason",
        "status",
        "due",
        "amount",
        "ra_number",
        "payment_error",
        "assignee",
    )
    list_select_related = ("account", "order", "assignee")
    list_filter = (*QueueAdmin.list_filter, "reason", "channel", "refused_shipment")
    search_fields = ("=account__number", "=order__ref", "=ra_number", "=product__sku")

    def get_search_results(self, request, queryset, search_term):
        """Exact lookups resolved to ids first, each through its own unique index, then one filter on
        literal values.

        Django's default ORs the four fields across three joins, which PostgreSQL answers with a scan
        of every refund (4.5 s at a million rows, bench/README.md); ORing ``IN (subquery)`` terms is
        no better (a hashed subplan checked against every refund: 1.2 s). Equalities on literal ids
        are answered by a bitmap OR of the refunds' own indexes.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        match = Q(ra_number=term)
        if term.isdigit() and len(term) < 19:
            account_id = Account.objects.filter(number=int(term)).values_list("pk", flat=True).first()
            if account_id is not None:
                match |= Q(account_id=account_id)
        order_id = Order.objects.filter(ref=term).values_list("pk", flat=True).first()
        if order_id is not None:
            match |= Q(order_id=order_id)
        product_id = Product.objects.filter(sku=term).values_list("pk", flat=True).first()
        if product_id is not None:
            match |= Q(pk__in=RefundLine.objects.filter(product_id=product_id).values("refund_id"))
        return queryset.filter(match), False

    def get_queryset(self, request):
        lines = RefundLine.objects.select_related("product")
        return super().get_queryset(request).prefetch_related(Prefetch("lines", queryset=lines))

    @admin.display(description="products")
    def products(self, obj):
        return obj.skus

    @admin.display(description="what is returned")
    def lines_table(self, obj):
        rows = format_html_join(
            "",
            "<tr><td>{} ({})</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    line.product.name,
                    line.product.sku,
                    line.qty,
                    line.gross,
                    "—"
                    if line.received is None
                    else "received"
                    if line.received
                    else "MISSING (not refunded)",
                )
                for line in obj.lines.all()
            ),
        )
        return format_html(
            "<table><thead><tr><th>Product</th><th>Qty</th><th>Paid</th><th>In the package</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )

    fsm_forms = {"receive": ReceiveForm, "receive_refused": NoteForm, "authorize": NoteForm}
    note_required_transitions = ("reject",)
    readonly_fields = (
        "account",
        "order",
        "lines_table",
        "reason",
        "channel",
        "requested_by",
        "requested_on",
        "return_method",
        "gross",
        "deduction",
        "amount",
        "pv",
        "return_deadline",
        "window_ends_on",
        "ra_number",
        "label_link",
        "authorized_on",
        "reminder_sent_on",
        "shipped_on",
        "tracking_number",
        "received_on",
        "postage_paid_by_customer",
        "refused_shipment",
        "pay_window",
        "refunded_on",
        "gateway_refund_id",
        "gateway_error",
        "payment_attempts",
        "replacement_order",
        *QueueAdmin.readonly_fields,
    )
    exclude = ("label_reference",)
    change_list_template = "admin/refunds/refund/change_list.html"

    def get_fsm_transition_form(self, transition):
        if transition.name == "reject":
            return RequiredNoteForm
        return self.fsm_forms.get(transition.name) or super().get_fsm_transition_form(transition)

    def has_add_permission(self, request):
        return False  # filed through "Request a refund for a member", which runs the eligibility rules

    @admin.display(description="gateway error")
    def payment_error(self, obj):
        return (
            format_html('<span style="color:#b00">{}</span>', obj.gateway_error) if obj.gateway_error else ""
        )

    @admin.display(description="return label")
    def label_link(self, obj):
        if not obj.label_reference:
            return "—"
        return format_html(
            '<a href="{}" target="_blank">Open the label ({})</a>',
            reverse("refunds:label", args=[obj.pk]),
            obj.ra_number,
        )

    @admin.display(description="Finance pays by")
    def pay_window(self, obj):
        window = refund_pay_window(obj)
        return f"{window[1]:%Y-%m-%d} (5 business days after receipt; earlier is fine)" if window else "—"

    # The base passes only the note on; the receive form has more fields, kept for perform_transition.
    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        request._refund_form_data = dict(kwargs or {})
        return super()._apply_fsm_transition(
            obj=obj, transition_name=transition_name, request=request, kwargs=kwargs
        )

    def perform_transition(self, *, request, obj, transition_name: str, note: str) -> None:
        data = getattr(request, "_refund_form_data", {})
        if transition_name == "authorize":
            refund_authorize(refund=obj, actor=request.user, note=note)
        elif transition_name == "reject":
            refund_reject(refund=obj, actor=request.user, note=note)
        elif transition_name == "receive":
            refund_receive(
                refund=obj,
                actor=request.user,
                ra_number=data.get("ra_number", ""),
                postage_paid_by_customer=bool(data.get("postage_paid_by_customer")),
                missing=list(data.get("missing") or []),
                note=note,
            )
        elif transition_name == "receive_refused":
            refund_receive_refused_shipment(refund=obj, actor=request.user, note=note)
        elif transition_name in ("refund", "retry"):
            refund_pay(refund=obj, actor=request.user, note=note)
        else:
            raise ValueError(f"unknown action {transition_name!r}")

    # --- filing on a member's behalf, refused shipments ---

    def get_urls(self):
        extra = [
            path(
                "request-for-member/",
                self.admin_site.admin_view(self.request_for_member_view),
                name="refunds_refund_request_for_member",
            ),
            path(
                "refused-shipment/",
                self.admin_site.admin_view(self.refused_shipment_view),
                name="refunds_refund_refused_shipment",
            ),
        ]
        return extra + super().get_urls()

    def _form_page(self, request, *, form, title, allowed, handle):
        if not allowed:
            self.message_user(request, "You may not do this.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:refunds_refund_changelist"))
        if request.method == "POST" and form.is_valid():
            try:
                refund = handle(form)
            except RefundRefused as err:
                form.add_error(None, str(err))
            else:
                self.message_user(
                    request,
                    f"Done: refund #{refund.pk} ({refund.skus}), RA {refund.ra_number}: it waits until "
                    "the package is back in the warehouse (the refund's “Refused shipment back in the "
                    "warehouse” button).",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:refunds_refund_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": title,
        }
        return TemplateResponse(request, "admin/refunds/refund/form_page.html", context)

    def request_for_member_view(self, request):
        return request_for_member_view(self, request)

    def refused_shipment_view(self, request):
        form = RefusedShipmentForm(request.POST or None)

        def handle(form):
            order, products = _order_and_products(form)
            return refunds_from_refused_shipment(
                order=order, products=products, actor=request.user, note=form.cleaned_data["description"]
            )

        return self._form_page(
            request,
            form=form,
            title="Record a refused shipment (the carrier is bringing it back)",
            allowed=member_of(RETURNS)(None, request.user),
            handle=handle,
        )


@admin.register(BonusReversal)
class BonusReversalAdmin(ReadOnlyAdmin):
    list_display = ("id", "refund", "earner", "original", "amount", "cancelled", "adjustment", "created_at")
    list_select_related = ("refund", "original__earner", "adjustment")
    search_fields = ("=original__earner__number", "=refund__id")

    @admin.display(description="earner")
    def earner(self, obj):
        return obj.original.earner


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ("id", "earner", "paid_on", "earnings", "offsets", "net", "carried_forward", "created_by")
    list_select_related = ("earner", "carried_forward", "created_by")
    search_fields = ("=earner__number",)
