"""Password reset that tells nobody whether an address has an account.

The same page, after the same time (``MIN_RESPONSE_SECONDS``), whether or not the address is known;
the email goes through the outbox (HTML + text, retried, visible in admin) instead of an SMTP call
inside the request whose duration would give the answer away. Rate-limited per client IP (429) and
per address (silently: the page is the same, no further email).
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.shortcuts import render
from django.urls import reverse

from plexus_office.platform.client_ip import client_ip
from plexus_office.platform.notifications import notify_address

MIN_RESPONSE_SECONDS = 0.4
WINDOW_SECONDS = 3600


def _limit(key: str, allowed: int) -> bool:
    """Count one attempt under ``key``; True while the count stays within ``allowed`` per window."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count <= allowed


class OutboxPasswordResetForm(PasswordResetForm):
    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        user = context["user"]
        link = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        notify_address(
            email=to_email,
            event="accounts_password_reset",
            name=user.get_full_name(),
            context={"username": user.get_username(), "reset_link": link},
        )


class ResetPasswordView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm

    def post(self, request, *args, **kwargs):
        started = time.monotonic()
        ip = client_ip(request)
        if not _limit(f"pwreset:ip:{ip}", settings.PASSWORD_RESET_PER_IP_PER_HOUR):
            return render(request, "registration/password_reset_throttled.html", status=429)
        response = super().post(request, *args, **kwargs)
        remaining = MIN_RESPONSE_SECONDS - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
        return response

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        digest = hashlib.sha256(email.encode()).hexdigest()
        if not _limit(f"pwreset:email:{digest}", settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR):
            return super(auth_views.PasswordResetView, self).form_valid(form)  # same page, no email
        return super().form_valid(form)
