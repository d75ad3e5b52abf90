"""The member's language: pages follow the switcher's cookie, else the language saved on the account.

``LocaleMiddleware`` picks the language from the cookie (or the browser's Accept-Language); for a
signed-in member without the cookie (a new device, a cleared browser) this middleware activates the
``preferred_language`` stored on their account. Notifications use that stored value too
(``plexus_office.platform.rendering``), so what a member chose on the site is what they receive.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from accounts.members import request_member

LANGUAGE_CODES = frozenset(code for code, _ in settings.LANGUAGES)


def supported_language(code: str | None) -> str:
    """A LANGUAGES code for ``code`` (``fr-CA``/``fr_ca`` → ``fr-ca``), or the site default."""
    if code:
        try:
            return translation.get_supported_language_variant(code.replace("_", "-").lower())
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class MemberLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith("/admin/")
        ):
            account = request_member(request)
            if account is not None and account.preferred_language in LANGUAGE_CODES:
                translation.activate(account.preferred_language)
                request.LANGUAGE_CODE = account.preferred_language
        return self.get_response(request)
