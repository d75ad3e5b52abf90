"""DRF throttles for writes only: reads stay unthrottled, a flood of POSTs/DELETEs gets 429."""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AnonWriteThrottle(AnonRateThrottle):
    scope = "anon_write"

    def allow_request(self, request, view):
        return request.method in SAFE_METHODS or super().allow_request(request, view)


class UserWriteThrottle(UserRateThrottle):
    scope = "user_write"

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS or not request.user or not request.user.is_authenticated:
            return True
        return super().allow_request(request, view)
