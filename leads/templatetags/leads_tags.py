"""The leads panel on the member dashboard (``{% leads_dashboard account %}``)."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import CORPORATE_SPONSOR_NUMBER
from accounts.selectors import lead_sponsor_verdict
from leads.selectors import DUE_AFTER_DAYS, corrections_for, recent_placements_for_sponsor
from leads.verdict_text import missing_rules

register = template.Library()


@register.inclusion_tag("leads/_dashboard_panel.html")
def leads_dashboard(account: Any) -> dict[str, Any]:
    if not account:
        return {"account": None}
    context: dict[str, Any] = {"account": account, "corrections": corrections_for(account=account, limit=5)}
    if account.is_ambassador and not account.is_corporate:
        context["verdict"] = lead_sponsor_verdict(account=account)
        context["missing"] = missing_rules(context["verdict"])
        context["recent_leads"] = recent_placements_for_sponsor(sponsor=account)
    sponsor = account.sponsor
    context["under_2"] = sponsor is not None and sponsor.number == CORPORATE_SPONSOR_NUMBER
    context["placed"] = not account.personally_enrolled and sponsor is not None and not context["under_2"]
    context["due_after_days"] = DUE_AFTER_DAYS
    context["can_request"] = (context["under_2"] or context["placed"]) and not any(
        c.status == "submitted" for c in context["corrections"]
    )
    return context
