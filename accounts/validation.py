"""Field checks shared by the web forms, the API and the services (one rule, one message).

Every failure is a ``ValidationError`` keyed by the field name, so a form, a serializer and a
service all report "phone: ..." the same way.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError

COUNTRIES = [
    ("US", "United States"),
    ("CA", "Canada"),
    ("MX", "Mexico"),
    ("GB", "United Kingdom"),
    ("AU", "Australia"),
    ("NZ", "New Zealand"),
]
COUNTRY_CODES = {code for code, _ in COUNTRIES}

US_STATES = [
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("AS", "American Samoa"),
    ("GU", "Guam"),
    ("MP", "Northern Mariana Islands"),
    ("PR", "Puerto Rico"),
    ("VI", "U.S. Virgin Islands"),
    ("AA", "Armed Forces Americas"),
    ("AE", "Armed Forces Europe"),
    ("AP", "Armed Forces Pacific"),
]
US_STATE_CODES = {code for code, _ in US_STATES}
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
            {field: "Enter a phone number, e.g. (480) 555-0123 or +1 480 555 0123."}
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError({field: f"{text} is not a valid phone number for {country or 'US'}."})
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
            errors[f"{prefix}{part}"] = "This field is required."
    country = cleaned["country"].upper()
    cleaned["country"] = country
    if country and country not in COUNTRY_CODES:
        errors[f"{prefix}country"] = f"{country} is not a country we ship to."
    region = cleaned["region"].upper() if country in ("US", "CA") else cleaned["region"]
    cleaned["region"] = region
    postal = cleaned["postal_code"].upper()
    if country == "US":
        if region not in US_STATE_CODES:
            errors[f"{prefix}region"] = "Choose a U.S. state (two-letter code, e.g. AZ)."
        if postal and not US_ZIP.match(postal):
            errors[f"{prefix}postal_code"] = "Enter a 5-digit ZIP code (or ZIP+4, e.g. 85251-1234)."
    elif country == "CA":
        if region not in CA_PROVINCES:
            errors[f"{prefix}region"] = "Choose a Canadian province or territory (two-letter code, e.g. ON)."
        if postal and not CA_POSTAL.match(postal):
            errors[f"{prefix}postal_code"] = "Enter a Canadian postal code, e.g. K1A 0B1."
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
