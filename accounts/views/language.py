"""The language switcher: Django's ``set_language`` (cookie) plus the member's saved preference."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.language import LANGUAGE_CODES
from accounts.members import request_member
from accounts.models import Account


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    response = django_set_language(request)
    code = request.POST.get("language", "")
    account = request_member(request)
    if account is not None and code in LANGUAGE_CODES and account.preferred_language != code:
        Account.objects.filter(pk=account.pk).update(preferred_language=code)
        account.preferred_language = code
    return response
