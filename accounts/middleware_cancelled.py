"""What a cancelled account may still do once signed in; everything else is refused (403).

A cancelled (or cleared) member keeps their login for what is still theirs: their notifications,
their orders' refunds (requesting one inside its window, following it, printing the label), their
saved cards (seeing and removing them), their personal information (read only), and their password.
They no longer see or act on a downline (dashboard, genealogy API, clear requests, sponsor
corrections, qualification), and change nothing else about an account that is closed.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

from accounts.members import request_member
from accounts.models import AccountStatus

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# URL name -> methods a cancelled account may use ("*": any).
ALLOWED: dict[str, tuple[str, ...] | str] = {
    "login": "*",
    "logout": "*",
    "password_change": "*",
    "password_change_done": "*",
    "password_reset": "*",
    "password_reset_done": "*",
    "password_reset_confirm": "*",
    "password_reset_complete": "*",
    "account_inbox": SAFE_METHODS,
    "account_inbox_read": "*",
    "account_personal": SAFE_METHODS,
    "account_cards": SAFE_METHODS,
    "account_card_remove": "*",
    "refunds:home": "*",
    "refunds:detail": SAFE_METHODS,
    "refunds:label": SAFE_METHODS,
    "api_me": SAFE_METHODS,
    "api_cards": SAFE_METHODS,
    "api_card": (*SAFE_METHODS, "DELETE"),
    "api_notifications": SAFE_METHODS,
    "api_notifications_read": "*",
    "refunds-api-list": "*",
    "refunds-api-quote": "*",
}
REFUSAL = (
    "account: this account is cancelled; it can still see its notifications, orders and refunds "
    "and remove its cards."
)


class CancelledAccountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if user is None or not user.is_authenticated or user.is_staff or match is None:
            return None
        if match.namespace == "admin" or match.url_name in ("mfa", "mfa_recovery"):
            return None
        # The request-scoped lookup: the page and its navigation reuse this query.
        account = request_member(request)
        if account is None or account.status != AccountStatus.CANCELLED:
            return None  # no account (a page says so), or a live one
        methods = ALLOWED.get(match.view_name)
        if methods == "*" or (methods and request.method in methods):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": REFUSAL, "code": "account_cancelled"}, status=403)
        landing = match.view_name == "dashboard"
        return render(
            request, "accounts/cancelled.html", {"refusal": REFUSAL}, status=200 if landing else 403
        )
