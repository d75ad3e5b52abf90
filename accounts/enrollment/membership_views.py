"""Membership page (``/account/membership/``): fee due date, activity, pay/renew, receipts, upgrade."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.enrollment.membership import membership_fee_pay, membership_summary, membership_upgrade
from accounts.enrollment.services import membership_fee
from accounts.models import AccountKind, SavedCard
from accounts.selectors import card_is_valid
from accounts.views.common import member_view, signed_in_user
from plexus_office import clock
from plexus_office.platform.errors import Refused
from plexus_office.platform.l10n import long_date, money


def _card_id(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("card", ""))
    except ValueError:
        return None


@member_view
def membership(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    today = clock.today()
    cards = [
        c
        for c in SavedCard.objects.filter(account=account, removed_at__isnull=True).order_by(
            "-is_default", "id"
        )
        if card_is_valid(c, as_of=today)
    ]
    context = {
        "account": account,
        "cards": cards,
        "summary": membership_summary(account=account) if account.kind == AccountKind.AMBASSADOR else None,
        "link": request.build_absolute_uri(f"/join/{account.number}/"),
    }
    if account.kind != AccountKind.AMBASSADOR:
        context["fee"] = membership_fee()
    return render(request, "enrollment/membership.html", context)


@require_POST
@member_view
def membership_pay(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    try:
        payment = membership_fee_pay(
            account=account, actor=signed_in_user(request), card_id=_card_id(request)
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            gettext("Thank you: %(amount)s paid. Your membership now runs until %(day)s.")
            % {"amount": money(payment.amount), "day": long_date(payment.covers_until)},
        )
    return redirect("membership:home")


@require_POST
@member_view
def membership_upgrade_view(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    try:
        upgraded = membership_upgrade(
            account=account, actor=signed_in_user(request), card_id=_card_id(request)
        )
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            gettext("Welcome, Brand Ambassador! Your membership runs until %(day)s.")
            % {"day": long_date(upgraded.membership_fee_due_on)},
        )
    return redirect("membership:home")
