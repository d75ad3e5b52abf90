"""A per-username ceiling on failed sign-ins, from any number of IP addresses.

django-axes locks a username+IP pair after a few failures; a credential-stuffing run spread over
many addresses never trips it. This ceiling counts failures per username across all addresses: the
first ``LOGIN_CEILING_FREE_FAILURES`` are checked as usual, then attempts for that username are spaced
out: each must wait ``LOGIN_CEILING_DELAY_SECONDS`` after the previous checked attempt, doubling with
every further failure up to ``LOGIN_CEILING_MAX_DELAY_SECONDS``. It slows, never locks: the real user
gets in on the first attempt after the wait, and a success forgets the count. Failures are forgotten
``LOGIN_CEILING_WINDOW_SECONDS`` after the last one.

Race-free in the shared cache (Redis in production, ``CACHE_URL``): every attempt takes a number with
an atomic increment before the password is checked, and past the free failures the single
"next attempt" slot is claimed with an atomic add, so simultaneous attempts cannot all get through.
A refused attempt gives its number back and checks no password, so waiting users do not extend
their own wait. The decision never looks at the database: an unknown username gets the same
answers at the same moments as a real one.

It runs as the authentication backend that checks passwords (after axes' backend), so every entry
point that calls ``authenticate()`` is covered: /login/, /admin/login/ and the API token endpoint.
``LoginCeilingMiddleware`` turns a refusal into a 429 page or JSON body with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

from plexus_office.platform.client_ip import client_ip

log = logging.getLogger(__name__)

REQUEST_FLAG = "login_ceiling_wait_seconds"


class LoginSlowed(PermissionDenied):
    """Raised from the backend: Django's ``authenticate()`` then stops and reports a failed login."""

    def __init__(self, wait_seconds: int):
        super().__init__(f"too many attempts for this username; wait {wait_seconds} s")
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class Attempt:
    """A permitted attempt: the keys it counted under."""

    count_key: str
    slot_key: str


def _keys(username: str) -> tuple[str, str]:
    # A digest keeps usernames out of the cache; case and spaces do not make a second counter.
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return f"login-ceiling:count:{digest}", f"login-ceiling:slot:{digest}"


def _delay_seconds(number: int) -> int:
    """Wait imposed by the checked attempt ``number`` (1-based) if it fails."""
    doublings = number - settings.LOGIN_CEILING_FREE_FAILURES
    delay = settings.LOGIN_CEILING_DELAY_SECONDS * 2 ** min(doublings, 30)
    return int(min(delay, settings.LOGIN_CEILING_MAX_DELAY_SECONDS))


def login_attempt_claim(*, username: str) -> Attempt:
    """Take a turn to check a password for ``username``, or raise ``LoginSlowed`` with the wait."""
    count_key, slot_key = _keys(username)
    window = settings.LOGIN_CEILING_WINDOW_SECONDS
    cache.add(count_key, 0, window)
    try:
        number = cache.incr(count_key)
    except ValueError:  # expired between add and incr: this is the first attempt of a new window
        cache.set(count_key, 1, window)
        number = 1
    if number < settings.LOGIN_CEILING_FREE_FAILURES:
        return Attempt(count_key, slot_key)
    # From the last free failure on, one checked attempt per delay: whoever adds the slot goes.
    delay = _delay_seconds(number)
    if cache.add(slot_key, time.time() + delay, delay):
        return Attempt(count_key, slot_key)
    _give_back(count_key)
    free_at = cache.get(slot_key)
    wait = math.ceil(free_at - time.time()) if free_at is not None else 1
    raise LoginSlowed(max(wait, 1))


def login_attempt_failed(attempt: Attempt) -> None:
    """The password was wrong: the number stays taken; the count lives a window past this failure."""
    cache.touch(attempt.count_key, settings.LOGIN_CEILING_WINDOW_SECONDS)


def login_attempt_succeeded(attempt: Attempt) -> None:
    """The real user is in: forget the failures and any wait."""
    cache.delete_many([attempt.count_key, attempt.slot_key])


def _give_back(count_key: str) -> None:
    try:
        cache.decr(count_key)
    except ValueError:  # a success reset the count meanwhile: nothing to give back
        pass


class CeilingModelBackend(ModelBackend):
    """Django's password backend behind the per-username ceiling."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not settings.LOGIN_CEILING_ENABLED or username is None or password is None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        try:
            attempt = login_attempt_claim(username=str(username))
        except LoginSlowed as slowed:
            if request is not None:
                # DRF wraps the request; the middleware sees the Django one underneath.
                setattr(getattr(request, "_request", request), REQUEST_FLAG, slowed.wait_seconds)
                log.warning(
                    "sign-in slowed for username %r from %s: wait %s s",
                    username,
                    client_ip(request),
                    slowed.wait_seconds,
                )
            raise
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_attempt_failed(attempt)
        else:
            login_attempt_succeeded(attempt)
        return user


class LoginCeilingMiddleware:
    """Answers a slowed sign-in with 429 and ``Retry-After``: JSON for the API, a page otherwise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        wait = getattr(request, REQUEST_FLAG, None)
        if wait is None:
            return response
        message = gettext("Too many sign-in attempts for this account. Try again in %(seconds)s seconds.") % {
            "seconds": wait
        }
        if request.path.startswith("/api/"):
            slowed: HttpResponse = JsonResponse(
                {"code": "too_many_attempts", "detail": message, "field": None, "retry_after": wait},
                status=429,
            )
        else:
            slowed = render(request, "registration/login_slowed.html", {"message": message}, status=429)
        slowed["Retry-After"] = str(wait)
        return slowed
