"""Values stored as text in deferred notification contexts, shown in the reader's locale.

``notify_many`` keeps JSON contexts (dates as ISO strings, money as decimal strings) and renders them
later in the recipient's language; these filters turn the strings back into values so the locale's
formats apply: ``{{ due_on|isodate|date:"DATE_FORMAT" }}``, ``{{ total|amount }}``,
``{{ day|shortdate }}``, ``{{ day|longdate }}`` (see ``plexus_office.platform.l10n``).
"""

from __future__ import annotations

from typing import Any

from django import template

from plexus_office.platform.l10n import as_date, long_date, money, short_date

register = template.Library()


@register.filter
def isodate(value: Any) -> Any:
    """``"2026-03-10"`` as a date; a date (or anything unreadable) is returned unchanged."""
    return as_date(value)


@register.filter
def amount(value: Any) -> str:
    return money(value)


@register.filter
def shortdate(value: Any) -> str:
    return short_date(value)


@register.filter
def longdate(value: Any) -> str:
    return long_date(value)
