"""Member pages of the Leads program: the Sponsor Correction Request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from accounts.members import request_member
from leads.forms import CorrectionForm
from leads.selectors import corrections_for
from leads.services import CorrectionRefused, sponsor_correction_request
from plexus_office.platform.errors import form_add_refusal
from plexus_office.platform.l10n import day_text


@login_required
def correction(request):
    account = request_member(request)
    form = CorrectionForm(request.POST or None)
    if account is not None and request.method == "POST" and form.is_valid():
        try:
            made = sponsor_correction_request(
                account=account,
                sponsor_number=form.cleaned_data["sponsor_number"],
                explanation=form.cleaned_data["explanation"],
                actor=request.user,
            )
        except CorrectionRefused as refusal:
            form_add_refusal(form, refusal)
        else:
            messages.success(
                request,
                _("Request #%(request)s sent. Customer Service will decide by %(due)s.")
                % {"request": made.pk, "due": day_text(made.due_on)},
            )
            return redirect("leads:correction")
    context = {
        "account": account,
        "form": form,
        "corrections": corrections_for(account=account) if account else [],
    }
    return TemplateResponse(request, "leads/correction.html", context, status=400 if form.errors else 200)
