"""The clearing panel on the member dashboard (``{% clearing_dashboard account %}``)."""

from __future__ import annotations

from typing import Any

from django import template

from clearing.selectors import clear_requests_of

register = template.Library()

DASHBOARD_LIMIT = 5


@register.inclusion_tag("clearing/_dashboard_panel.html")
def clearing_dashboard(account: Any) -> dict[str, Any]:
    if not account:
        return {"account": None}
    can_request = account.is_ambassador and not account.is_corporate
    requests = list(clear_requests_of(requester=account)[:DASHBOARD_LIMIT]) if can_request else []
    return {"account": account, "can_request": can_request, "requests": requests}
