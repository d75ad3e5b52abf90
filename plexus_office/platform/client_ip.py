"""The client's address, the same for login lockouts, rate limits and API throttles.

Without a proxy it is ``REMOTE_ADDR``. Behind ``TRUSTED_PROXY_COUNT`` proxies (a TLS terminator, a
load balancer) ``REMOTE_ADDR`` is the last proxy; each proxy appends the address it was called from
to ``X-Forwarded-For``, so the client is the entry that many places from the right. Entries further
left were sent by the client itself and are never trusted (anyone can write that header).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]
