"""Customer Service's "Request a refund for a member": pick the member, then one of their orders,
then its products; the quote (one return, one deduction) is shown before the request is filed.

A thin caller: the search is a selector; the quote and the filing are ``refunds.filing.quote_then_file``,
the same flow as the member's Request Refund Form, so the rules never differ by channel.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts.models import Account
from plexus_office.platform.roles import CUSTOMER_SERVICE, member_of
from refunds.filing import quote_then_file
from refunds.models import Refund, RefundChannel
from refunds.selectors import members_matching, orders_for_refund


def _selected_account(request) -> Account | None:
    raw = (request.POST.get("account") or request.GET.get("account") or "").strip()
    if not raw.isdigit() or len(raw) > 18:
        return None
    return Account.objects.filter(number=int(raw)).first()


def request_for_member_view(model_admin, request):
    if not member_of(CUSTOMER_SERVICE)(None, request.user):
        model_admin.message_user(request, "Only Customer Service files refunds for members.", messages.ERROR)
        return HttpResponseRedirect(reverse("admin:refunds_refund_changelist"))
    search = (request.GET.get("member") or "").strip()
    matches = members_matching(search) if search else []
    account = _selected_account(request)
    if account is None and len(matches) == 1:
        account = matches[0]
    form = quote = None
    if account is not None:
        filing = quote_then_file(
            request,
            orders=list(orders_for_refund(account=account)),
            channel=RefundChannel.CUSTOMER_SERVICE,
            buyer=account,
        )
        form, quote, made = filing.form, filing.quote, filing.refund
        if made is not None:
            model_admin.message_user(
                request,
                f"Refund #{made.pk} filed for {account.name or account.number}: {made.skus}, "
                f"{made.amount} to the original card.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:refunds_refund_change", args=[made.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Refund._meta,
        "title": "Request a refund for a member",
        "search": search,
        "matches": matches,
        "account": account,
        "form": form,
        "quote": quote,
    }
    status = 400 if form is not None and form.errors else 200
    return TemplateResponse(request, "admin/refunds/refund/request_for_member.html", context, status=status)
