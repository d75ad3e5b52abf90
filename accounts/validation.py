"""Field checks shared by the web forms, the API and the services (one rule, one message).

Every failure is a ``ValidationError`` keyed by the field name, so a form, a serializer and a
service all report "phone: ..." the same way.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

COUNTRIES = [
    ("US", _("United States")),
    ("CA", _("Canada")),
    ("MX", _("Mexico")),
    ("GB", _("United Kingdom")),
    ("AU", _("Australia")),
    ("NZ", _("New Zealand")),
]
COUNTRY_CODES = {code for code, _label in COUNTRIES}

US_STATES = [
    ("AL", _("Alabama")),
    ("AK", _("Alaska")),
    ("AZ", _("Arizona")),
    ("AR", _("Arkansas")),
    ("CA", _("California")),
    ("CO", _("Colorado")),
    ("CT", _("Connecticut")),
    ("DE", _("Delaware")),
    ("DC", _("District of Columbia")),
    ("FL", _("Florida")),
    ("GA", _("Georgia")),
    ("HI", _("Hawaii")),
    ("ID", _("Idaho")),
    ("IL", _("Illinois")),
    ("IN", _("Indiana")),
    ("IA", _("Iowa")),
    ("KS", _("Kansas")),
    ("KY", _("Kentucky")),
    ("LA", _("Louisiana")),
    ("ME", _("Maine")),
    ("MD", _("Maryland")),
    ("MA", _("Massachusetts")),
    ("MI", _("Michigan")),
    ("MN", _("Minnesota")),
    ("MS", _("Mississippi")),
    ("MO", _("Missouri")),
    ("MT", _("Montana")),
    ("NE", _("Nebraska")),
    ("NV", _("Nevada")),
    ("NH", _("New Hampshire")),
    ("NJ", _("New Jersey")),
    ("NM", _("New Mexico")),
    ("NY", _("New York")),
    ("NC", _("North Carolina")),
    ("ND", _("North Dakota")),
    ("OH", _("Ohio")),
    ("OK", _("Oklahoma")),
    ("OR", _("Oregon")),
    ("PA", _("Pennsylvania")),
    ("RI", _("Rhode Island")),
    ("SC", _("South Carolina")),
    ("SD", _("South Dakota")),
    ("TN", _("Tennessee")),
    ("TX", _("Texas")),
    ("UT", _("Utah")),
    ("VT", _("Vermont")),
    ("VA", _("Virginia")),
    ("WA", _("Washington")),
    ("WV", _("West Virginia")),
    ("WI", _("Wisconsin")),
    ("WY", _("Wyoming")),
    ("AS", _("American Samoa")),
    ("GU", _("Guam")),
    ("MP", _("Northern Mariana Islands")),
    ("PR", _("Puerto Rico")),
    ("VI", _("U.S. Virgin Islands")),
    ("AA", _("Armed Forces Americas")),
    ("AE", _("Armed Forces Europe")),
    ("AP", _("Armed Forces Pacific")),
]
US_STATE_CODES = {code for code, _label in US_STATES}
CA_PROVINCES = {"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}
US_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
CA_POSTAL = re.compile(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$")

ADDRESS_PARTS = ("street", "unit", "city", "region", "postal_code", "country")
REQUIRED_PARTS = ("street", "city", "postal_code", "country")


def normalize_phone(value: str, *, country: str = "US", field: str = "phone") -> str:
    """A phone number in E.164 (``+14805551234``); blank stays blank."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        parsed = phonenumbers.parse(text, country or "US")
    except phonenumbers.NumberParseException:
        raise ValidationError(
            {field: gettext("Enter a phone number, e.g. (480) 555-0123 or +1 480 555 0123.")}
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            {
                field: gettext("%(number)s is not a valid phone number for %(country)s.")
                % {"number": text, "country": country or "US"}
            }
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def clean_address(data: dict[str, str], *, prefix: str, required: bool = True) -> dict[str, str]:
    """Check one address (keys ``<prefix>street`` … ``<prefix>country``); returns it trimmed.

    US states and ZIP codes (and Canadian provinces and postal codes) are checked; raises one
    ``ValidationError`` listing every bad field.
    """
    cleaned = {part: str(data.get(f"{prefix}{part}", "") or "").strip() for part in ADDRESS_PARTS}
    errors: dict[str, str] = {}
    if not required and not any(cleaned[p] for p in ADDRESS_PARTS if p != "country"):
        return cleaned
    for part in REQUIRED_PARTS:
        if not cleaned[part]:
            errors[f"{prefix}{part}"] = gettext("This field is required.")
    country = cleaned["country"].upper()
    cleaned["country"] = country
    if country and country not in COUNTRY_CODES:
        errors[f"{prefix}country"] = gettext("%(country)s is not a country we ship to.") % {
            "country": country
        }
    region = cleaned["region"].upper() if country in ("US", "CA") else cleaned["region"]
    cleaned["region"] = region
    postal = cleaned["postal_code"].upper()
    if country == "US":
        if region not in US_STATE_CODES:
            errors[f"{prefix}region"] = gettext("Choose a U.S. state (two-letter code, e.g. AZ).")
        if postal and not US_ZIP.match(postal):
            errors[f"{prefix}postal_code"] = gettext("Enter a 5-digit ZIP code (or ZIP+4, e.g. 85251-1234).")
    elif country == "CA":
        if region not in CA_PROVINCES:
            errors[f"{prefix}region"] = gettext(
                "Choose a Canadian province or territory (two-letter code, e.g. ON)."
            )
        if postal and not CA_POSTAL.match(postal):
            errors[f"{prefix}postal_code"] = gettext("Enter a Canadian postal code, e.g. K1A 0B1.")
    cleaned["postal_code"] = postal
    if errors:
        raise ValidationError(errors)
    return cleaned


def format_address(address: dict[str, str]) -> str:
    line1 = address["street"] + (f", {address['unit']}" if address.get("unit") else "")
    line2 = " ".join(
        p for p in (address["city"] + ",", address["region"], address["postal_code"]) if p.strip(",")
    )
    return "\n".join([line1, line2, address["country"]])
