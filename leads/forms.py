from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CorrectionForm(forms.Form):
    sponsor_number = forms.CharField(
        label=_("Account number of the sponsor you meant"),
        max_length=20,
        error_messages={
            "required": _("Sponsor account number: enter the account number of the sponsor you meant."),
        },
    )
    explanation = forms.CharField(
        label=_("Anything Customer Service should know (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
