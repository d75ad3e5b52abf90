"""Calendar arithmetic exactly as scenarios.md defines it."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's end: 2026-08-31 minus 6 months is 2026-02-28."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_months(day: date, count: int) -> list[date]:
    """First days of the ``count`` calendar months before ``day``'s month, oldest first."""
    first = month_start(day)
    return [add_months(first, -n) for n in range(count, 0, -1)]


def half_month(day: date) -> tuple[date, date]:
    """The half of the calendar month holding ``day``: days 1-15 or 16-end (inclusive bounds)."""
    if day.day <= 15:
        return day.replace(day=1), day.replace(day=15)
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=16), day.replace(day=last)


def parse_iso_date(value: str) -> date:
    return date.fromisoformat(value)


def parse_month(value: str) -> date:
    """'YYYY-MM' -> first day of that month."""
    year, month = value.split("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError(f"not a YYYY-MM month: {value!r}")
    return date(int(year), int(month), 1)
