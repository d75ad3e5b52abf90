"""``{% load team_labels %}``: the words of "My team" for the codes the selectors return.

The selectors keep codes ("active", "paused", "vip_customer", "leads"): the API, the CSV and the
operations commands read them. Pages show these labels in the reader's language; Spanish and French
genders differ between a member (el miembro, le membre) and a subscription (la suscripción,
l'abonnement), hence one context per kind of word.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import pgettext_lazy

from accounts.models import AccountKind
from accounts.team.rows import JOINED_LABELS

register = template.Library()

MEMBER_STATUS = {
    "active": pgettext_lazy("member status", "active"),
    "cancelled": pgettext_lazy("member status", "cancelled"),
    "not_enrolled": pgettext_lazy("member status", "not enrolled yet"),
}
ACTIVITY = {
    "active": pgettext_lazy("member activity", "active"),
    "inactive": pgettext_lazy("member activity", "inactive"),
    "neither": pgettext_lazy("member activity", "neither"),
}
SUBSCRIPTION = {
    "active": pgettext_lazy("subscription status", "active"),
    "paused": pgettext_lazy("subscription status", "paused"),
    "cancelled": pgettext_lazy("subscription status", "cancelled"),
    "none": pgettext_lazy("subscription status", "none"),
}


def _label(labels: dict[str, Any], value: Any) -> str:
    return str(labels.get(value, value))


@register.filter
def member_status(value: Any) -> str:
    return _label(MEMBER_STATUS, value)


@register.filter
def activity_label(value: Any) -> str:
    return _label(ACTIVITY, value)


@register.filter
def subscription_label(value: Any) -> str:
    return _label(SUBSCRIPTION, value)


@register.filter
def kind_label(value: Any) -> str:
    return str(AccountKind(value).label) if value in AccountKind.values else str(value)


@register.filter
def joined_label(value: Any) -> str:
    return _label(JOINED_LABELS, value)
