"""Helpers shared by the operations commands (scenarios.md): --as-of parsing, JSON output.

The account lookup lives in ``accounts.commands`` (the platform imports no domain app)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import CommandError

# scenarios.md "Time travel": a date outside these bounds given to any command is bad input.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def date_in_range_error(day: date, *, field: str) -> str | None:
    """The one-line complaint for a day outside the commands' range, or None when it is inside."""
    if day < EARLIEST_DAY or day > LATEST_DAY:
        return (
            f"{field}: date {day.isoformat()} is out of range "
            f"({EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()})"
        )
    return None


def parse_date(value: str, *, field: str) -> date:
    """A command's ISO date argument; CommandError naming ``field`` when malformed or out of range."""
    text = value.strip() if isinstance(value, str) else value
    try:
        if not isinstance(text, str) or len(text) != 10:
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{field}: bad date {value!r} (expected YYYY-MM-DD)") from None
    problem = date_in_range_error(day, field=field)
    if problem:
        raise CommandError(problem)
    return day


def parse_as_of(value: str | None, *, field: str = "--as-of") -> date | None:
    if value is None:
        return None
    return parse_date(value, field=field)


def dumps(document: Any) -> str:
    return json.dumps(document, default=str, sort_keys=False)
