"""Helpers shared by the operations commands (scenarios.md): --as-of parsing, JSON output.

The account lookup lives in ``accounts.commands`` (the platform imports no domain app)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import CommandError


def parse_as_of(value: str | None, *, field: str = "--as-of") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{field}: bad date {value!r} (expected YYYY-MM-DD)") from None


def dumps(document: Any) -> str:
    return json.dumps(document, default=str, sort_keys=False)
