"""API tokens for scripts: issued by django-rest-knox, stored hashed, expiring (KNOX TOKEN_TTL).

POST /api/v1/auth/token/ with HTTP Basic credentials (or a signed-in session) returns a token valid
for ``API_TOKEN_TTL_HOURS``; POST /api/v1/auth/token/revoke/ with it ends it. Staff get no API token:
their work is in /admin/, behind the second factor.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from knox.views import LoginView, LogoutView
from rest_framework import serializers
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.exceptions import PermissionDenied


class TokenIssueView(LoginView):
    authentication_classes = [BasicAuthentication, SessionAuthentication]

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "ApiToken", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
        ),
        description="A new API token (HTTP Basic or session); expires after API_TOKEN_TTL_HOURS.",
    )
    def post(self, request, format=None):
        if request.user.is_staff:
            raise PermissionDenied("Staff accounts get no API token; staff work in the admin site.")
        return super().post(request, format=format)


class TokenRevokeView(LogoutView):
    @extend_schema(request=None, responses={204: None}, description="End the token sent with this call.")
    def post(self, request, format=None):
        return super().post(request, format=format)
