"""Web forms of Account Services. They shape the input; the services hold the rules and messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Product
from accounts.validation import COUNTRIES, US_STATES

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

REGION_HELP = _("U.S. and Canada: the two-letter code (e.g. AZ, ON).")


class NoEchoTextInput(forms.TextInput):
    """Never writes the submitted value back into the page (card number, CVV)."""

    def format_value(self, value):
        return None


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field errors on the form's fields (unknown keys become form-wide errors)."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


def _address_fields(
    prefix: str, street_label: str | _StrPromise, *, required: bool = True
) -> dict[str, forms.Field]:
    return {
        f"{prefix}street": forms.CharField(label=street_label, max_length=200, required=required),
        f"{prefix}unit": forms.CharField(label=_("Apartment / unit"), max_length=50, required=False),
        f"{prefix}city": forms.CharField(label=_("City"), max_length=100, required=required),
        f"{prefix}region": forms.CharField(
            label=_("State / province"),
            max_length=100,
            required=required,
            help_text=REGION_HELP,
            widget=forms.TextInput(attrs={"list": "us-states"}),
        ),
        f"{prefix}postal_code": forms.CharField(
            label=_("ZIP / postal code"), max_length=20, required=required
        ),
        f"{prefix}country": forms.ChoiceField(label=_("Country"), choices=COUNTRIES, initial="US"),
    }


class PersonalInfoForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        help_text=_("Stored in international format."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    locals().update(_address_fields("mailing_", _("Mailing street")))
    shipping_same_as_mailing = forms.BooleanField(
        label=_("Shipping address is the same as mailing"), required=False
    )
    shipping_recipient = forms.CharField(
        label=_("Ship to (leave blank for yourself)"),
        max_length=200,
        required=False,
    )
    locals().update(_address_fields("shipping_", _("Shipping street"), required=False))

    MAILING = [f"mailing_{p}" for p in ("street", "unit", "city", "region", "postal_code", "country")]
    SHIPPING = [f"shipping_{p}" for p in ("street", "unit", "city", "region", "postal_code", "country")]


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(label=_("New email address"), max_length=254)


class CardAddForm(forms.Form):
    number = forms.CharField(
        label=_("Card number"),
        max_length=23,
        widget=NoEchoTextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    exp_month = forms.TypedChoiceField(
        label=_("Expiry month"), coerce=int, choices=[(m, f"{m:02d}") for m in range(1, 13)]
    )
    exp_year = forms.IntegerField(
        label=_("Expiry year"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"autocomplete": "cc-exp-year"}),
    )
    cvv = forms.CharField(
        label=_("Security code (CVV)"),
        max_length=4,
        widget=NoEchoTextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )
    holder_name = forms.CharField(
        label=_("Name on card"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "cc-name"})
    )
    postal_code = forms.CharField(label=_("Billing ZIP / postal code"), max_length=20)
    make_default = forms.BooleanField(label=_("Make this my default card"), required=False)


class CardChoiceForm(forms.Form):
    card = forms.IntegerField(widget=forms.HiddenInput)


class NewsletterForm(forms.Form):
    opt_in = forms.BooleanField(
        label=_("Yes, send me the Plexus Email Newsletter. I can unsubscribe at any time."), required=False
    )


class DropshipForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.order_by("name"), empty_label=None
    )
    qty = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10, initial=1)
    ship_to_name = forms.CharField(label=_("Recipient name"), max_length=200)
    locals().update(_address_fields("ship_to_", _("Street")))
    # One-time key rendered with the form: a double submit of the same form places one order.
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why are you leaving? (optional)"), max_length=200, required=False)
    confirm = forms.BooleanField(
        label=_("I understand my membership and subscription end now."),
        error_messages={"required": _("Tick the box to confirm you want to cancel.")},
    )


__all__ = [
    "US_STATES",
    "CardAddForm",
    "CancelForm",
    "DropshipForm",
    "EmailChangeForm",
    "NewsletterForm",
    "PersonalInfoForm",
    "apply_errors",
]
