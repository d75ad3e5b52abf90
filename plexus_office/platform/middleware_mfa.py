"""Sends a staff session that has not passed its second factor to /admin/mfa/ before any admin page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse

from plexus_office.platform.mfa import mfa_required_for


class StaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin_root = reverse("admin:index")
        path = request.path
        if path.startswith(admin_root) and not self._exempt(path):
            user = getattr(request, "user", None)
            if (
                user is not None
                and user.is_authenticated
                and mfa_required_for(user)
                and not user.is_verified()
            ):
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('mfa')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (reverse("admin:login"), reverse("admin:logout"), reverse("mfa"), reverse("mfa_recovery"))
        return path.startswith(exempt)
