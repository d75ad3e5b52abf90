"""Member pages: the Request Refund Form, the member's refunds, the return label, and the
ambassador's refunds for retail sales they made directly. Thin callers of selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from accounts.members import member_or_404
from accounts.models import Account, Order
from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE, RETURNS, member_of
from refunds.filing import quote_then_file
from refunds.models import Refund, RefundChannel, RefundLine
from refunds.selectors import direct_sales_of, orders_for_refund, refund_pay_window, refunds_of
from refunds.services import RefundRefused, refund_mark_shipped


def _request_page(
    request, *, account: Account, orders: list[Order], channel: str, template: str, extra: dict
):
    """The Request Refund Form: pick an order, its products, the condition and the return method; the
    quote (one return, one deduction) is shown before filing. ``?order=REF&sku=SKU`` preselects."""
    filing = quote_then_file(request, orders=orders, channel=channel)
    if filing.refund is not None:
        made = filing.refund
        messages.success(
            request,
            _(
                "Refund request #%(number)s sent (%(products)s): one return, one package. "
                "Customer Service answers within 2 business days."
            )
            % {"number": made.pk, "products": made.skus},
        )
        if channel == RefundChannel.MEMBER:
            return redirect("refunds:detail", pk=made.pk)
        return redirect("refunds:sales")
    form = filing.form
    context = {"form": form, "quote": filing.quote, "account": account, **extra}
    return TemplateResponse(request, template, context, status=400 if form.errors else 200)


@login_required
def home(request):
    account = member_or_404(request)
    orders = list(orders_for_refund(account=account))
    return _request_page(
        request,
        account=account,
        orders=orders,
        channel=RefundChannel.MEMBER,
        template="refunds/home.html",
        extra={"refunds": refunds_of(account=account)[:50]},
    )


@login_required
def sales(request):
    account = member_or_404(request)
    if not account.is_ambassador:
        raise Http404("Only Brand Ambassadors issue refunds for their retail sales.")
    orders = list(direct_sales_of(ambassador=account))
    for order in orders:
        order._show_buyer = True
    issued = (
        Refund.objects.filter(order__sold_by=account)
        .select_related("order", "account")
        .prefetch_related(Prefetch("lines", queryset=RefundLine.objects.select_related("product")))
        .order_by("-requested_on", "-id")[:50]
    )
    return _request_page(
        request,
        account=account,
        orders=orders,
        channel=RefundChannel.AMBASSADOR,
        template="refunds/sales.html",
        extra={"issued": issued},
    )


def _visible_refund(request, pk: int) -> Refund:
    refund = get_object_or_404(
        Refund.objects.select_related("order", "account").prefetch_related(
            Prefetch("lines", queryset=RefundLine.objects.select_related("product"))
        ),
        pk=pk,
    )
    user = request.user
    staff = member_of(CUSTOMER_SERVICE, RETURNS, FINANCE)(None, user)
    seller = (
        refund.order.sold_by_id and Account.objects.filter(user=user, pk=refund.order.sold_by_id).exists()
    )
    if refund.account.user_id != user.pk and not staff and not seller:
        raise Http404("No such refund.")  # another member's refund: not even its existence
    return refund


@login_required
def detail(request, pk: int):
    refund = _visible_refund(request, pk)
    if request.method == "POST":
        try:
            refund_mark_shipped(
                refund=refund, actor=request.user, tracking_number=request.POST.get("tracking_number", "")
            )
        except RefundRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("Thank you: we recorded that your return is on its way."))
        return redirect("refunds:detail", pk=refund.pk)
    return TemplateResponse(
        request, "refunds/detail.html", {"refund": refund, "pay_window": refund_pay_window(refund)}
    )


@login_required
def label(request, pk: int):
    refund = _visible_refund(request, pk)
    if not refund.label_reference:
        raise Http404("This refund has no return label (not authorized yet, or nothing to return).")
    bars = barcode_bars(refund.label_reference)
    width = bars[-1]["x"] + bars[-1]["w"] + 10
    return TemplateResponse(
        request, "refunds/label.html", {"refund": refund, "bars": bars, "bar_width": width}
    )


def barcode_bars(reference: str) -> list[dict[str, int]]:
    """Bars of a barcode-like strip for the printed label: each character's code as wide/narrow bars.

    Not a scannable symbology: the readable reference under it is what the warehouse types.
    """
    bars, x = [], 10
    for char in reference:
        code = ord(char)
        for bit in range(7):
            width = 3 if (code >> bit) & 1 else 1
            bars.append({"x": x, "w": width})
            x += width + 2
        x += 3
    return bars
