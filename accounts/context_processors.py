"""Navigation for the member pages: the signed-in member and the program links that exist.

Program apps are built independently, so a link is shown only when its URL name resolves; nothing
here queries the database unless a template reads ``member_account``.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from accounts.members import request_member

# (url name, label, who sees it): "ambassador" links are hidden from customers.
PROGRAM_LINKS = (
    ("team:tree", _("My team"), "ambassador"),
    ("team:report", _("Downline report"), "ambassador"),
    ("clearing:home", _("Clear inactive members"), "ambassador"),
    ("refunds:home", _("Request a refund"), "any"),
    ("leads:correction", _("Sponsor correction"), "any"),
)


def _resolve(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def navigation(request) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A lazy proxy of the member's Account (or None): typed Any, the proxy forwards every attribute.
    account: Any = SimpleLazyObject(lambda: request_member(request))

    def _links() -> list[dict[str, Any]]:
        links = []
        for name, label, audience in PROGRAM_LINKS:
            url = _resolve(name)
            if url is None:
                continue
            if audience == "ambassador" and not (account and account.is_ambassador):
                continue
            links.append({"url": url, "label": label, "name": name})
        return links

    return {"member_account": account, "program_links": SimpleLazyObject(_links)}
