"""Business days: Monday to Friday, US federal holidays off.

The holiday calendar comes from the ``holidays`` package (US, public category = the federal set,
including the "observed" weekday when a holiday falls on a weekend), never from a hand-written list.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> frozenset[date]:
    # No subdivision: only the federal holidays, not state ones. Cached per year because the package
    # builds the calendar lazily and rules call this in loops.
    return frozenset(holidays.US(years=year, categories=(holidays.PUBLIC,)).keys())


def is_holiday(day: date) -> bool:
    return day in _federal_holidays(day.year)


def is_business_day(day: date) -> bool:
    """True on Monday to Friday unless the day is a US federal holiday (or its observed day)."""
    return day.weekday() < 5 and not is_holiday(day)


def add_business_days(start: date, n: int) -> date:
    """The date ``n`` business days after ``start`` (before it when ``n`` is negative).

    ``start`` itself never counts, even when it is a business day: a request submitted on a Friday
    with a one-business-day deadline is due the next Monday (Tuesday when Monday is a holiday).
    ``n == 0`` returns ``start`` unchanged.
    """
    if not isinstance(n, int):
        raise TypeError("n must be an integer number of business days")
    step = 1 if n >= 0 else -1
    day = start
    remaining = abs(n)
    while remaining:
        day += timedelta(days=step)
        if is_business_day(day):
            remaining -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day):
            count += 1
    return count
