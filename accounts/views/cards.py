"""Manage Cards. The add view is marked sensitive so error reports never show the number or CVV."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.forms import CardAddForm, CardChoiceForm, apply_errors
from accounts.models import SavedCard, Subscription, SubscriptionStatus
from accounts.selectors import card_is_valid
from accounts.selfservice import card_add, card_remove, card_set_default, subscription_card_set
from accounts.views.common import member_view, signed_in_user
from plexus_office import clock


def _cards_page(request, account, form=None, status=200, blocked_card=None) -> HttpResponse:
    today = clock.today()
    cards = list(
        SavedCard.objects.filter(account=account, removed_at__isnull=True).order_by("-is_default", "id")
    )
    subscription = Subscription.objects.filter(
        account=account, status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED]
    ).first()
    for card in cards:
        card.expired = not card_is_valid(card, as_of=today)  # type: ignore[attr-defined]
    context = {
        "account": account,
        "cards": cards,
        "subscription": subscription,
        "form": form or CardAddForm(initial={"exp_year": today.year + 1}),
        "blocked_card": blocked_card,
        "replacement_cards": [
            c
            for c in cards
            if not c.expired  # type: ignore[attr-defined]  # set on each card in the loop above
            and (not subscription or c.pk != subscription.card_id)
        ],
    }
    return render(request, "accounts/cards.html", context, status=status)


@member_view
def cards(request: HttpRequest) -> HttpResponse:
    return _cards_page(request, request.account)  # type: ignore[attr-defined]


@require_POST
@sensitive_post_parameters("number", "cvv")
@member_view
def card_new(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    form = CardAddForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            card = card_add(
                account=account,
                actor=signed_in_user(request),
                number=data["number"],
                exp_month=data["exp_month"],
                exp_year=data["exp_year"],
                cvv=data["cvv"],
                holder_name=data["holder_name"],
                postal_code=data["postal_code"],
                make_default=data["make_default"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("Card %(brand)s ending %(last4)s was added.")
                % {"brand": card.brand, "last4": card.last4},
            )
            return redirect("account_cards")
    return _cards_page(request, account, form=form, status=400)


def _card_action(request: HttpRequest, action, done: str) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    form = CardChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose a card."))
        return redirect("account_cards")
    try:
        action(account=account, actor=signed_in_user(request), card_id=form.cleaned_data["card"])
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, done)
    return redirect("account_cards")


def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    messages.error(request, " ".join(exc.messages))
    return redirect("account_cards")


@require_POST
@member_view
def card_default(request: HttpRequest) -> HttpResponse:
    return _card_action(request, card_set_default, gettext("Your default card was changed."))


@require_POST
@member_view
def card_delete(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    form = CardChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose a card."))
        return redirect("account_cards")
    try:
        card_remove(account=account, actor=signed_in_user(request), card_id=form.cleaned_data["card"])
    except ValidationError as exc:
        # The subscription's card: show the page again with the offer to switch the subscription.
        blocked = SavedCard.objects.filter(pk=form.cleaned_data["card"], account=account).first()
        messages.error(request, " ".join(exc.messages))
        return _cards_page(request, account, status=400, blocked_card=blocked)
    messages.success(request, gettext("The card was removed."))
    return redirect("account_cards")


@require_POST
@member_view
def card_subscription(request: HttpRequest) -> HttpResponse:
    return _card_action(request, subscription_card_set, "Your subscription now uses the chosen card.")
