"""Dates and counts written into member-facing sentences, in the active language.

English keeps ISO dates (2026-03-10): the operations commands run in English and their outputs are a
contract (scenarios.md), and the English pages always showed ISO. Spanish and Canadian French get the
locale's long date ("10 de marzo de 2026", "10 mars 2026") and grouped numbers ("2.000", "2 000").
Values may be dates or ISO strings (deferred notifications carry JSON contexts).
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import formats, timezone, translation


def _english() -> bool:
    return (translation.get_language() or "en").split("-")[0] == "en"


def _as_date(value: date | str | None) -> date | None:
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
    day = _as_date(value)
    if day is None:
        return "" if value in (None, "") else str(value)
    return day.isoformat() if _english() else formats.date_format(day, "DATE_FORMAT")


def month_text(value: str) -> str:
    """A month given as "YYYY-MM": unchanged in English, "enero de 2026" / "janvier 2026" otherwise."""
    if _english():
        return value
    try:
        day = date.fromisoformat(f"{value}-01")
    except ValueError:
        return value
    return formats.date_format(day, "YEAR_MONTH_FORMAT")


def count_text(value: int) -> str:
    """A whole number with the locale's grouping ("2,000", "2.000", "2 000")."""
    return formats.number_format(value, force_grouping=True)
