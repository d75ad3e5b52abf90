from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clearing.services import REASON_MAX_LENGTH
from plexus_office.platform.l10n import count_text


def _reason_too_long() -> str:
    return gettext("Reason: keep it under %(limit)s characters.") % {"limit": count_text(REASON_MAX_LENGTH)}


class ClearRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        # Lazy: the limit is written with the grouping of the language active when shown.
        error_messages={"max_length": lazy(_reason_too_long, str)()},
    )
    confirm = forms.BooleanField(
        label=_(
            "I confirm I am asking Plexus to cancel this member's account and remove it from my downline."
        ),
        required=True,
        error_messages={"required": _("Confirmation: tick the box to confirm the clear request.")},
    )


class DownlineSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or account number"), required=False, max_length=100)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)
