"""Virtual Office (dashboard) and the notifications inbox."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from accounts.flags import open_flags
from accounts.models import Subscription
from accounts.selectors import commission_qualification
from accounts.views.common import member_view
from plexus_office.platform.selectors import inbox_page
from plexus_office.platform.services import inbox_mark_read

INBOX_PAGE_SIZE = 20
INBOX_MAX_PAGE = 10_000  # 200,000 notifications; a larger page number is a made-up URL
DASHBOARD_INBOX_SIZE = 5


def dropship_reminder(account) -> bool:
    """The saved shipping address names someone other than the holder (business-rules §2)."""
    recipient = (account.shipping_recipient or "").strip().lower()
    return bool(recipient) and recipient != (account.name or "").strip().lower()


@member_view
def dashboard(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    # At most one per account (unique): no ORDER BY for ``first()`` to compile.
    subscription = next(iter(Subscription.objects.select_related("card").filter(account=account)[:1]), None)
    # The unread count is the context processor's ``inbox_unread`` (counted once per page).
    context = {
        "account": account,
        "subscription": subscription,
        "commission": commission_qualification(account=account, subscription=subscription)
        if account.is_ambassador
        else None,
        "flags": open_flags(account=account),
        "inbox_entries": inbox_page(account=account, limit=DASHBOARD_INBOX_SIZE),
        "dropship_reminder": dropship_reminder(account),
    }
    return render(request, "accounts/dashboard.html", context)


@member_view
def inbox(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    raw = request.GET.get("page", "1")
    try:
        page = max(int(raw), 1) if len(raw) <= 9 else INBOX_MAX_PAGE + 1
    except ValueError:
        page = 1
    if page > INBOX_MAX_PAGE:
        return HttpResponseBadRequest(f"page: at most {INBOX_MAX_PAGE:,}.", content_type="text/plain")
    # One extra row tells whether a next page exists without counting the whole inbox.
    rows = inbox_page(account=account, limit=INBOX_PAGE_SIZE + 1, offset=(page - 1) * INBOX_PAGE_SIZE)
    context = {
        "entries": rows[:INBOX_PAGE_SIZE],
        "page": page,
        "has_next": len(rows) > INBOX_PAGE_SIZE,
    }
    return render(request, "accounts/inbox.html", context)


@require_POST
@member_view
def inbox_read(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    ids = request.POST.getlist("entry")
    try:
        changed = inbox_mark_read(account=account, entry_ids=ids if ids else None)
    except ValueError:
        messages.error(request, gettext("Choose notifications to mark as read."))
        return redirect("account_inbox")
    messages.success(
        request,
        ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", changed)
        % {"count": changed},
    )
    return redirect(request.POST.get("next") == "dashboard" and "dashboard" or "account_inbox")
