"""Dates and amounts in the active language, for messages built in Python (refusals, statuses).

The patterns are translatable (msgctxt "date format"): English keeps the ISO dates and the plain
``1234.50`` amounts that operations commands and scenario outputs print, while es and fr-CA get their
own order, month names and separators. Templates use the same through ``member_l10n``'s filters.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import pgettext


def is_english() -> bool:
    """English keeps the forms operations commands and scenario outputs print (ISO dates, 1234.50)."""
    return (translation.get_language() or "en").split("-")[0] == "en"


def as_date(value: Any) -> Any:
    """An ISO string or an aware datetime as a (local) date/datetime; other values unchanged."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


def short_date(value: Any) -> str:
    """``2026-03-10`` in English, ``10/03/2026`` in Spanish, ``2026-03-10`` in Canadian French."""
    day = as_date(value)
    if not isinstance(day, date):
        return "" if day in (None, "") else str(day)
    return date_format(day, pgettext("date format", "Y-m-d"))


def long_date(value: Any) -> str:
    """``March 10, 2027`` / ``10 de marzo de 2027`` / ``10 mars 2027``."""
    day = as_date(value)
    if not isinstance(day, date):
        return "" if day in (None, "") else str(day)
    return date_format(day, pgettext("date format", "F j, Y"))


def money(value: Any) -> str:
    """An amount with two places: unchanged ``1234.50`` in English (what commands and scenarios print),
    the locale's separators otherwise (``1 234,50``). Text that is not a number is returned as is."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if is_english():
        return f"{number.quantize(Decimal('0.01'))}"
    return number_format(number, 2, use_l10n=True, force_grouping=True)


# Dates and counts inside member-facing sentences: ISO in English, the locale's long date otherwise
# ("10 de marzo de 2026", "10 mars 2026"); values may be dates or ISO strings (deferred contexts).


def _as_day(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def day_text(value: date | str | None) -> str:
    """A day for a sentence: ISO in English, the locale's long date otherwise ('' for none)."""
    day = _as_day(value)
    if day is None:
        return "" if value in (None, "") else str(value)
    return day.isoformat() if is_english() else date_format(day, "DATE_FORMAT")


def month_text(value: str) -> str:
    """A month given as "YYYY-MM": unchanged in English, "enero de 2026" / "janvier 2026" otherwise."""
    if is_english():
        return value
    try:
        day = date.fromisoformat(f"{value}-01")
    except ValueError:
        return value
    return date_format(day, "YEAR_MONTH_FORMAT")


def count_text(value: int) -> str:
    """A whole number with the locale's grouping ("2,000", "2.000", "2 000")."""
    return number_format(value, force_grouping=True)
