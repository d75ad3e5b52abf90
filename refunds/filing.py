"""Quote-then-file: the one flow behind every refund form (the member's, the selling ambassador's,
and Customer Service's "Request a refund for a member" in admin).

The page shows the Request Refund Form; a valid POST is quoted (one return, one deduction) and, when
the person pressed "submit" and the quote is eligible, filed with ``refund_request``. A refusal lands
on the form. Callers only decide who the buyer is, the channel, and where to go afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from accounts.models import Account, Order
from plexus_office.platform.errors import form_add_refusal
from refunds.forms import RefundRequestForm
from refunds.models import Refund
from refunds.selectors import RefundQuote, refund_quote
from refunds.services import RefundRefused, refund_request


@dataclass(frozen=True)
class Filing:
    """What the POST gave: the form (with any errors), the quote shown, the refund filed (or None)."""

    form: RefundRequestForm
    quote: RefundQuote | None = None
    refund: Refund | None = None


def refund_form(request: HttpRequest, *, orders: list[Order]) -> RefundRequestForm:
    """The form bound to the POST, or on a GET with ``?order=REF&sku=SKU`` preselected."""
    selected = None
    if request.method == "GET" and request.GET.get("order"):
        selected = next((o for o in orders if o.ref == request.GET["order"]), None)
    return RefundRequestForm(
        request.POST or None,
        orders=orders,
        selected=selected,
        initial_skus=request.GET.getlist("sku") if selected is not None else [],
    )


def quote_then_file(
    request: HttpRequest, *, orders: list[Order], channel: str, buyer: Account | None = None
) -> Filing:
    """Build the form; on a valid POST quote it, and file it when asked to and eligible.

    ``buyer``: whose refund it is (Customer Service names the member); default the order's account
    (the member themselves, or the ambassador's retail customer).
    """
    form = refund_form(request, orders=orders)
    if request.method != "POST" or not form.is_valid():
        return Filing(form=form)
    order = form.cleaned_data["order"]
    products = form.chosen_products()
    account = buyer if buyer is not None else order.account
    choice: dict[str, Any] = {
        "reason": form.cleaned_data["reason"],
        "return_method": form.cleaned_data["return_method"],
    }
    quote = refund_quote(account=account, order=order, products=products, **choice)
    if not quote.eligible:
        form.add_error(None, quote.message)
        return Filing(form=form, quote=quote)
    if request.POST.get("action") != "submit":
        return Filing(form=form, quote=quote)
    try:
        made = refund_request(
            account=account, order=order, products=products, actor=request.user, channel=channel, **choice
        )
    except RefundRefused as refusal:
        form_add_refusal(form, refusal)
        return Filing(form=form, quote=quote)
    return Filing(form=form, quote=quote, refund=made)
