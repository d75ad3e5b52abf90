"""The account lookup shared by the operations commands (``--member 123`` etc.)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from accounts.models import Account


def get_account(number: Any, *, field: str) -> Account:
    try:
        return Account.objects.get(number=int(number))
    except (ValueError, TypeError):
        raise CommandError(f"{field}: not an account number: {number!r}") from None
    except Account.DoesNotExist:
        raise CommandError(f"{field}: unknown account {number}") from None
