"""What every member page needs: the signed-in member's own account, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from rest_framework.request import Request

from accounts.members import request_member


def signed_in_user(request: HttpRequest | Request) -> User:
    """``request.user`` in a login-required view (or an API view behind ``IsAuthenticated``).

    Only for such views: there the user is never anonymous, so this only narrows the type.
    """
    return cast(User, request.user)


def member_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Login required; ``request.account`` is the user's own account (a page says so if none)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        account = request_member(request)
        if account is None:
            return render(request, "accounts/no_account.html", status=403)
        request.account = account  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
