"""Member pages: My orders, Autoship (the subscription) and My pay. Thin callers."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.models import SavedCard, Subscription, SubscriptionStatus
from accounts.models_billing import Statement
from accounts.orders.selectors import PAGE_SIZE, member_order, member_orders, order_payload
from accounts.pay.selectors import statement_lines, statements_of
from accounts.selectors import card_is_valid, commission_qualification
from accounts.selfservice import subscription_card_set
from accounts.subscriptions.charging import outstanding_charge, subscription_charge_retry
from accounts.subscriptions.selectors import autoship_summary, catalogue, pv_meaning
from accounts.subscriptions.services import (
    subscription_cancel,
    subscription_charge_day_set,
    subscription_items_set,
    subscription_pause,
    subscription_resume,
    subscription_skip_next,
)
from accounts.views.common import member_view, signed_in_user
from plexus_office import clock
from plexus_office.platform.errors import Refused
from plexus_office.platform.l10n import money, short_date


@member_view
def orders(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    page = Paginator(member_orders(account=account), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(order, order_payload(order, detail=False)) for order in page.object_list]
    return render(request, "accounts/orders.html", {"page": page, "rows": rows})


@member_view
def order_detail(request: HttpRequest, ref: str) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    order = member_order(account=account, ref=ref)
    if order is None:
        raise Http404("No such order on your account.")
    return render(
        request, "accounts/order_detail.html", {"order": order, "data": order_payload(order, detail=True)}
    )


AUTOSHIP_ACTIONS = ("items", "charge_day", "card", "skip", "pause", "resume", "cancel", "retry")


@member_view
def autoship(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    subscription = Subscription.objects.select_related("card").filter(account=account).first()
    if request.method == "POST":
        if subscription is None:
            raise Http404("You have no monthly subscription.")
        return _autoship_post(request, account, subscription)
    products = catalogue()
    quantities = {}
    if subscription is not None:
        quantities = {i.product_id: i.qty for i in subscription.items.all()}
    cards = [
        c
        for c in SavedCard.objects.filter(account=account, removed_at__isnull=True)
        if card_is_valid(c, as_of=clock.today())
    ]
    context = {
        "account": account,
        "subscription": subscription,
        "summary": autoship_summary(subscription=subscription) if subscription else None,
        "rows": [(p, quantities.get(p.pk, 0)) for p in products],
        "meaning": pv_meaning(subscription.pv if subscription else 0),
        "cards": cards,
        "days": range(1, 29),
        "outstanding": outstanding_charge(subscription) if subscription else None,
        "commission": commission_qualification(account=account) if account.is_ambassador else None,
        "active": subscription is not None and subscription.status == SubscriptionStatus.ACTIVE,
        "perk_thresholds": [[int(t), str(a)] for t, a in sorted(settings.PERK_CREDIT_THRESHOLDS)],
    }
    return render(request, "accounts/autoship.html", context)


def _autoship_post(request: HttpRequest, account, subscription: Subscription) -> HttpResponse:
    actor = signed_in_user(request)
    action = request.POST.get("action", "")
    try:
        if action == "items":
            quantities = {}
            for key in request.POST:
                value = request.POST.get(key, "")
                if key.startswith("qty_"):
                    try:
                        quantities[int(key[4:])] = int(value or 0)
                    except ValueError:
                        raise Refused(
                            "bad_quantity",
                            gettext("Quantity: %(value)s is not a whole number.") % {"value": repr(value)},
                            field="items",
                        ) from None
            subscription_items_set(account=account, actor=actor, quantities=quantities)
            messages.success(
                request, gettext("Your subscription's products were saved; we emailed you a confirmation.")
            )
        elif action == "charge_day":
            try:
                day = int(request.POST.get("charge_day", ""))
            except ValueError:
                raise Refused(
                    "bad_charge_day", gettext("Charge day: choose a day from 1 to 28."), field="charge_day"
                ) from None
            sub = subscription_charge_day_set(account=account, actor=actor, day=day)
            messages.success(
                request,
                gettext("Your subscription now charges on day %(day)s; next charge on %(next)s.")
                % {"day": day, "next": short_date(sub.next_charge_on)},
            )
        elif action == "card":
            try:
                card_id = int(request.POST.get("card", ""))
            except ValueError:
                raise Refused("bad_card", gettext("Card: choose one of your cards."), field="card") from None
            subscription_card_set(account=account, actor=actor, card_id=card_id)
            messages.success(request, gettext("Your subscription is now paid with this card."))
        elif action == "retry":
            row = subscription_charge_retry(account=account, actor=actor)
            if row is None:
                messages.info(request, gettext("Nothing is owed on your subscription."))
            elif row.status == "paid":
                messages.success(
                    request,
                    gettext("Charged %(amount)s: order %(ref)s is on its way.")
                    % {"amount": money(row.amount), "ref": row.order.ref if row.order else ""},
                )
            else:
                messages.error(
                    request, gettext("The charge was declined again: %(error)s") % {"error": row.last_error}
                )
        elif action == "skip":
            sub = subscription_skip_next(account=account, actor=actor)
            messages.success(
                request,
                gettext("Skipped the order of %(day)s; next charge on %(next)s.")
                % {"day": short_date(sub.skipped_charge_on), "next": short_date(sub.next_charge_on)},
            )
        elif action == "pause":
            subscription_pause(account=account, actor=actor)
            messages.success(request, gettext("Your subscription is paused."))
        elif action == "resume":
            sub = subscription_resume(account=account, actor=actor)
            messages.success(
                request,
                gettext("Your subscription is active again; next charge on %(next)s.")
                % {"next": short_date(sub.next_charge_on)},
            )
        elif action == "cancel":
            if request.POST.get("confirm") != "yes":
                raise Refused(
                    "confirm", gettext("Tick the box to confirm you want to cancel."), field="confirm"
                )
            subscription_cancel(account=account, actor=actor)
            messages.success(request, gettext("Your subscription is cancelled."))
        else:
            raise Refused("bad_action", gettext("Unknown action."))
    except Refused as refusal:
        messages.error(request, refusal.message)
    except ValidationError as exc:  # the card service's field errors
        messages.error(request, " ".join(exc.messages))
    return redirect("account_autoship")


@member_view
def pay(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    page = Paginator(statements_of(account=account), 24).get_page(request.GET.get("page"))
    return render(request, "accounts/pay.html", {"page": page, "account": account})


@member_view
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    item = get_object_or_404(Statement.objects.select_related("run"), pk=pk, earner=account)
    return render(
        request, "accounts/statement.html", {"statement": item, "lines": statement_lines(statement=item)}
    )


__all__ = ["autoship", "order_detail", "orders", "pay", "require_POST", "statement"]
