"""The refunds panel on the member dashboard (``{% refunds_dashboard account %}``), and ``|day``: a
date in a refunds sentence, as the refusal messages write it (``refunds.wording.day``).

``|fulfillment`` and ``|commission_kind`` read the accounts' labels of an order's fulfillment and a
bonus's kind in the active language (translated in the refunds catalogue under a context, for the
refunds pages and emails that show them)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import pgettext

from refunds import wording
from refunds.selectors import dashboard_summary

register = template.Library()


@register.inclusion_tag("refunds/_dashboard_panel.html")
def refunds_dashboard(account: Any) -> dict[str, Any]:
    if not account:
        return {"account": None}
    return {"account": account, **dashboard_summary(account=account)}


@register.filter
def day(value: Any) -> str:
    return wording.day(value)


@register.filter
def fulfillment(order: Any) -> str:
    return pgettext("order fulfillment", str(order.get_fulfillment_display()))


@register.filter
def commission_kind(entry: Any) -> str:
    return pgettext("commission kind", str(entry.get_kind_display()))
