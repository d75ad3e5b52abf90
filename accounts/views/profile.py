"""Personal Information, email change, "information is current", newsletter, dropship, cancel."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.flags import open_flags
from accounts.forms import (
    CancelForm,
    DropshipForm,
    EmailChangeForm,
    NewsletterForm,
    PersonalInfoForm,
    apply_errors,
)
from accounts.models import Product
from accounts.models_selfservice import PendingEmailChange
from accounts.selfservice import (
    account_info_confirm,
    account_profile_update,
    dropship_order_create,
    email_change_confirm,
    email_change_request,
    newsletter_set,
)
from accounts.selfservice.orders import DROPSHIP_SHIPPING
from accounts.services import account_cancel
from accounts.validation import US_STATES
from accounts.views.common import member_view, signed_in_user
from plexus_office import clock


def _initial(account) -> dict:
    initial = {
        field: getattr(account, field) for field in PersonalInfoForm.base_fields if hasattr(account, field)
    }
    initial["mailing_country"] = account.mailing_country or account.country or "US"
    initial["shipping_country"] = account.shipping_country or account.country or "US"
    return initial


def _personal_page(request, account, form=None, email_form=None, status=200) -> HttpResponse:
    pending = (
        PendingEmailChange.objects.filter(
            account=account, confirmed_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=clock.now()
        )
        .order_by("-created_at")
        .first()
    )
    context = {
        "account": account,
        "form": form or PersonalInfoForm(initial=_initial(account)),
        "email_form": email_form or EmailChangeForm(),
        "pending_email": pending,
        "flags": open_flags(account=account),
        "us_states": US_STATES,
    }
    return render(request, "accounts/personal.html", context, status=status)


@member_view
def personal(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    if request.method != "POST":
        return _personal_page(request, account)
    form = PersonalInfoForm(request.POST)
    if form.is_valid():
        try:
            account_profile_update(account=account, actor=signed_in_user(request), data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("Your personal information was saved."))
            return redirect("account_personal")
    return _personal_page(request, account, form=form, status=400)


@require_POST
@member_view
def email_change(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        try:
            email_change_request(
                account=account, actor=signed_in_user(request), new_email=form.cleaned_data["new_email"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("We sent a confirmation link to %(email)s. Your email changes when you open it.")
                % {"email": form.cleaned_data["new_email"]},
            )
            return redirect("account_personal")
    return _personal_page(request, account, email_form=form, status=400)


@member_view
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    # The link only shows a button: a GET (mail scanners prefetch links) never changes anything.
    if request.method != "POST":
        return render(request, "accounts/email_confirm.html", {"token": token})
    try:
        account = email_change_confirm(token=token, actor=signed_in_user(request))
    except ValidationError as exc:
        return render(
            request, "accounts/email_confirm.html", {"token": token, "errors": exc.messages}, status=400
        )
    messages.success(request, gettext("Your email address is now %(email)s.") % {"email": account.email})
    return redirect("account_personal")


@require_POST
@member_view
def info_confirm(request: HttpRequest) -> HttpResponse:
    try:
        account_info_confirm(account=request.account, actor=signed_in_user(request))  # type: ignore[attr-defined]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, gettext("Thank you: your information is marked as current for the next 12 months.")
        )
    return redirect(request.POST.get("next") == "dashboard" and "dashboard" or "account_personal")


@member_view
def newsletter(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    form = NewsletterForm(request.POST or None, initial={"opt_in": account.newsletter_opt_in})
    if request.method == "POST" and form.is_valid():
        try:
            newsletter_set(account=account, actor=signed_in_user(request), opt_in=form.cleaned_data["opt_in"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("You are signed up for the Email Newsletter.")
                if form.cleaned_data["opt_in"]
                else gettext("You will no longer receive the Email Newsletter."),
            )
            return redirect("account_newsletter")
    return render(request, "accounts/newsletter.html", {"account": account, "form": form})


@member_view
def dropship(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    form = DropshipForm(
        request.POST or None,
        initial={"ship_to_country": account.country or "US", "submission_key": secrets.token_hex(16)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = dropship_order_create(
                account=account,
                actor=signed_in_user(request),
                product=data["product"],
                qty=data["qty"],
                ship_to_name=data["ship_to_name"],
                address=data,
                submission_key=data.get("submission_key") or "",
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                gettext(
                    "Order %(ref)s will ship to %(name)s. Your saved address was not changed; "
                    "we emailed you the order confirmation."
                )
                % {"ref": order.ref, "name": order.ship_to_name},
            )
            return redirect("account_order", ref=order.ref)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/dropship.html",
        {
            "account": account,
            "form": form,
            "us_states": US_STATES,
            "shipping": DROPSHIP_SHIPPING,
            "prices": {str(p.pk): str(p.price) for p in Product.objects.all()},
        },
        status=status,
    )


@member_view
def cancel(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_cancel(account=account, actor=signed_in_user(request), reason=form.cleaned_data["reason"])
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            logout(request)
            messages.success(request, gettext("Your membership was cancelled. We are sorry to see you go."))
            return redirect("login")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/cancel.html", {"account": account, "form": form}, status=status)
