"""``{% load local_dates %}{{ request.due_on|local_day }}``: dates in member pages and emails."""

from __future__ import annotations

from django import template

from plexus_office.platform.l10n import day_text

register = template.Library()


@register.filter
def local_day(value) -> str:
    return day_text(value)
