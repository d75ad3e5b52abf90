"""The second-factor pages under /admin/mfa/: enrol (QR code + one code), verify, recovery codes."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from plexus_office.platform.mfa import (
    mfa_enrolled,
    mfa_recovery_codes_issue,
    mfa_totp_confirm,
    mfa_totp_pending,
    mfa_verify,
    qr_svg,
    secret_base32,
)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": "Code: enter the 6-digit code from your app (or a recovery code)."},
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "admin:index"


def _page(request, template: str, **context):
    return TemplateResponse(
        request, template, {**admin.site.each_context(request), "next": _next(request), **context}
    )


@never_cache
@login_required(login_url="admin:login")
def mfa_view(request):
    user = request.user
    if not user.is_staff:
        return redirect("dashboard")
    if user.is_verified():
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if not mfa_enrolled(user):
        device = mfa_totp_pending(user=user)
        if request.method == "POST" and form.is_valid():
            codes = mfa_totp_confirm(user=user, device=device, token=form.cleaned_data["code"])
            if codes is not None:
                otp_login(request, device)
                return _page(request, "admin/mfa/recovery_codes.html", codes=codes, title="Recovery codes")
            form.add_error("code", "Code: that code is not right; check your phone's clock and try again.")
        return _page(
            request,
            "admin/mfa/enrol.html",
            form=form,
            qr=qr_svg(device),
            secret=secret_base32(device),
            title="Set up two-step sign-in",
        )
    if request.method == "POST" and form.is_valid():
        device = mfa_verify(user=user, token=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", "Code: that code is not right (or was already used).")
    return _page(request, "admin/mfa/verify.html", form=form, title="Two-step sign-in")


@never_cache
@login_required(login_url="admin:login")
def mfa_recovery_view(request):
    """New recovery codes for a verified staff session (the old ones stop working)."""
    if not (request.user.is_staff and request.user.is_verified()):
        return redirect("mfa")
    if request.method != "POST":
        return _page(request, "admin/mfa/recovery_confirm.html", title="New recovery codes")
    codes = mfa_recovery_codes_issue(user=request.user)
    return _page(request, "admin/mfa/recovery_codes.html", codes=codes, title="Recovery codes")
