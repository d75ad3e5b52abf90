"""Helpers shared by the operations commands (scenarios.md): --as-of parsing, JSON output, account lookup."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import CommandError

from accounts.models import Account


def parse_as_of(value: str | None, *, field: str = "--as-of") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{field}: bad date {value!r} (expected YYYY-MM-DD)") from None


def get_account(number: Any, *, field: str) -> Account:
    try:
        return Account.objects.get(number=int(number))
    except (ValueError, TypeError):
        raise CommandError(f"{field}: not an account number: {number!r}") from None
    except Account.DoesNotExist:
        raise CommandError(f"{field}: unknown account {number}") from None


def dumps(document: Any) -> str:
    return json.dumps(document, default=str, sort_keys=False)
