"""The signed-in member's own account: looked up once per request, whoever asks.

Pages (``accounts.views.common.member_view`` or ``request_member``), DRF views (``MemberAPIMixin``)
and the context processors all go through ``request_member``, which caches the account (or ``None``)
on the underlying ``HttpRequest``: a page and its navigation share one query.

The cached account is the one read at the start of the request; a view that changes the account and
then renders (rather than redirecting) reads it again itself.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from rest_framework.request import Request

from accounts.models import Account

_CACHE_ATTRIBUTE = "_plexus_member_account"
_UNSET = object()


def _http_request(request: HttpRequest | Request) -> HttpRequest:
    # A DRF Request wraps the HttpRequest; cache on the inner one so both see the same lookup.
    return getattr(request, "_request", request)


_OWN_FIELDS = tuple(field.name for field in Account._meta.concrete_fields)


def request_member(request: HttpRequest | Request) -> Account | None:
    """The account of the signed-in user (with its sponsor), or ``None``; one query per request."""
    inner = _http_request(request)
    cached: Any = getattr(inner, _CACHE_ATTRIBUTE, _UNSET)
    if cached is not _UNSET:
        return cached
    user = getattr(request, "user", None)
    account = None
    if user is not None and user.is_authenticated:
        # The sponsor is shown by name and number (and checked for Corporate): its other ~50 columns
        # cost every member page a wide compilation and model build. ``user`` is unique: no ORDER BY.
        rows = (
            Account.objects.select_related("sponsor")
            .only(*_OWN_FIELDS, "sponsor__name", "sponsor__number", "sponsor__is_corporate")
            .filter(user=user)[:1]
        )
        account = next(iter(rows), None)
    setattr(inner, _CACHE_ATTRIBUTE, account)
    return account


def member_or_404(request: HttpRequest | Request) -> Account:
    account = request_member(request)
    if account is None:
        raise Http404("No member account is linked to this login.")
    return account


class MemberAPIMixin:
    """For DRF views: ``self.member()`` is the signed-in member's account (404 without one)."""

    def member(self) -> Account:
        return member_or_404(self.request)  # type: ignore[attr-defined]  # set by DRF's APIView
