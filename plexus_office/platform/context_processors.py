"""``inbox_unread`` on every page for a signed-in member, counted only if a template uses it."""

from __future__ import annotations

from collections.abc import Callable
from functools import total_ordering
from typing import Any

from django.http import HttpRequest

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


MemberResolver = Callable[[HttpRequest], Any]
_member_resolvers: list[MemberResolver] = []


def member_resolver_register(resolver: MemberResolver) -> None:
    """How the platform finds the signed-in member's account without importing accounts.

    ``AccountsConfig.ready`` registers ``accounts.members.request_member`` (one cached lookup per
    request, shared with the pages and the navigation).
    """
    _member_resolvers[:] = [resolver]


def inbox(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def _count() -> int:
        account = _member_resolvers[0](request) if _member_resolvers else None
        return inbox_unread_count(account=account) if account is not None else 0

    return {"inbox_unread": LazyCount(_count)}
