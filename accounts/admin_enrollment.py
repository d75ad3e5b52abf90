"""Staff enrollment in Django admin: Customer Service enrolls someone on the phone.

The add page is a plain form in front of the same service as the public form and the operations
command (``member_enroll``, channel "staff"); the acting staff member is recorded on the
enrollment row and in the audit trail. Existing enrollments are read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts.enrollment.services import member_enroll
from accounts.forms import apply_errors
from accounts.models import Enrollment, EnrollmentChannel
from accounts.validation import COUNTRIES
from plexus_office.platform.errors import Refused


class StaffEnrollmentForm(forms.Form):
    kind = forms.ChoiceField(choices=[("vip_customer", "VIP Customer"), ("ambassador", "Brand Ambassador")])
    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254)
    country = forms.ChoiceField(choices=COUNTRIES, initial="US")
    sponsor = forms.IntegerField(
        required=False, min_value=1, max_value=2**53, help_text='Blank: Corporate Sponsor "2" (a lead).'
    )


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("created_at", "account", "kind", "channel", "actor", "amount")
    list_filter = ("channel", "kind")
    search_fields = ("account__number", "account__name", "account__email", "=key")
    list_select_related = ("account", "actor")
    readonly_fields = (
        "key",
        "account",
        "channel",
        "kind",
        "enrolled_on",
        "actor",
        "charge_id",
        "amount",
        "created_at",
    )
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StaffEnrollmentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                account = member_enroll(
                    kind=data["kind"],
                    name=data["name"],
                    email=data["email"],
                    country=data["country"],
                    sponsor_number=data["sponsor"],
                    actor=request.user,
                    channel=EnrollmentChannel.STAFF,
                )
            except Refused as refusal:
                form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                enrollment = account.enrollments.get()
                messages.success(
                    request,
                    f"Enrolled {account.name} as account {account.number} under {account.sponsor.number}; "
                    "the welcome email is on its way.",
                )
                return HttpResponseRedirect(reverse("admin:accounts_enrollment_change", args=[enrollment.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Enroll a member",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/enrollment/add.html", context)
