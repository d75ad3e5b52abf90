"""The refunds panel on the member dashboard (``{% refunds_dashboard account %}``)."""

from __future__ import annotations

from typing import Any

from django import template

from refunds.selectors import dashboard_summary

register = template.Library()


@register.inclusion_tag("refunds/_dashboard_panel.html")
def refunds_dashboard(account: Any) -> dict[str, Any]:
    if not account:
        return {"account": None}
    return {"account": account, **dashboard_summary(account=account)}
