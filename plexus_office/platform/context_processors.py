"""``inbox_unread`` on every page for a signed-in member, counted only if a template uses it."""

from __future__ import annotations

from collections.abc import Callable
from functools import total_ordering

from plexus_office.platform.selectors import inbox_unread_count


@total_ordering
class LazyCount:
    """An int computed on first use and then kept: pages that never show the badge pay nothing,
    pages that show it twice pay one query."""

    def __init__(self, compute: Callable[[], int]) -> None:
        self._compute = compute
        self._value: int | None = None

    @property
    def value(self) -> int:
        if self._value is None:
            self._value = self._compute()
        return self._value

    def __int__(self) -> int:
        return self.value

    __index__ = __int__

    def __bool__(self) -> bool:
        return self.value > 0

    def __str__(self) -> str:
        return str(self.value)

    def __eq__(self, other) -> bool:
        return self.value == int(other)

    def __lt__(self, other) -> bool:
        return self.value < int(other)

    def __hash__(self) -> int:
        return hash(self.value)


def inbox(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def _count() -> int:
        # A member view has already read the account (``request.account``): no second lookup.
        account = getattr(request, "account", None) or getattr(user, "account", None)
        return inbox_unread_count(account=account) if account is not None else 0

    return {"inbox_unread": LazyCount(_count)}
