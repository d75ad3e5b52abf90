"""Forms of the public enrollment wizard: they shape input; the enrollment service holds the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import CardAddForm, PersonalInfoForm

KIND_CHOICES = [
    ("vip_customer", _("VIP Customer: products at member prices, with a monthly subscription if you like")),
    ("ambassador", _("Brand Ambassador: share Plexus and build a business (annual membership fee)")),
]


class KindForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("How would you like to join?"), choices=KIND_CHOICES, widget=forms.RadioSelect
    )


class SponsorForm(forms.Form):
    sponsor_number = forms.IntegerField(
        label=_("Your sponsor's account number"),
        min_value=1,
        max_value=2**53,
        required=False,
        help_text=_("The Brand Ambassador who introduced you to Plexus."),
    )


class DetailsForm(PersonalInfoForm):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    password = forms.CharField(
        label=_("Choose a password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits; not a common password."),
    )
    # Honeypot: hidden from people by CSS; a bot that fills every field gives itself away.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    field_order = ["name", "email", "password", "phone"]


class EnrollmentCardForm(CardAddForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["make_default"]
