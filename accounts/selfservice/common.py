"""Helpers shared by the self-service services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from accounts.models import Account, AccountStatus


class SelfServiceError(ValidationError):
    """A refusal the member can act on; a ``ValidationError`` so forms and the API show it as such."""


def require_holder(*, account: Account, actor: Any) -> None:
    """Only the account holder uses self-service (staff change accounts in admin)."""
    if actor is None or not getattr(actor, "pk", None) or account.user_id != actor.pk:
        raise PermissionDenied("Only the account holder can do this.")


def lock_live_account(account: Account) -> Account:
    """Lock the account row for the rest of the transaction; a cancelled account changes no more."""
    locked = Account.objects.select_for_update().get(pk=account.pk)
    if locked.status != AccountStatus.ACTIVE:
        raise SelfServiceError(
            gettext("This account is cancelled; its information can no longer be changed.")
        )
    return locked


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {key: (before.get(key), value) for key, value in after.items() if before.get(key) != value}
