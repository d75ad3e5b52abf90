from django import forms

from clearing.services import REASON_MAX_LENGTH


class ClearRequestForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"Reason: keep it under {REASON_MAX_LENGTH:,} characters."},
    )
    confirm = forms.BooleanField(
        label="I confirm I am asking Plexus to cancel this member's account and remove it from my downline.",
        required=True,
        error_messages={"required": "Confirmation: tick the box to confirm the clear request."},
    )


class DownlineSearchForm(forms.Form):
    q = forms.CharField(label="Name or account number", required=False, max_length=100)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)
