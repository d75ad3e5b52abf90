"""Who may enroll, under whom, with which number: the refusals of business rules §7 as of a day.

Checked in the contract's order (scenarios.md command 6): ``number_taken``, ``email_in_use``,
``sponsor_not_found``, ``sponsor_not_eligible``. Every answer is as things stood at the end of the
day asked about, so an operations import dated in the past is judged by that day's facts.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext

from accounts.models import CORPORATE_SPONSOR_NUMBER, Account, AccountKind, AccountStatus
from plexus_office.platform.errors import Refused
from plexus_office.platform.l10n import short_date

MAX_ACCOUNT_NUMBER = 9_223_372_036_854_775_807  # BigIntegerField


def live_on(day: date) -> Q:
    """Accounts enrolled on or before ``day`` and not cancelled by its end.

    A cancelled account without a cancellation time counts as cancelled on every day.
    """
    return Q(enrolled_on__lte=day) & (
        Q(status=AccountStatus.ACTIVE) | Q(status=AccountStatus.CANCELLED, cancelled_at__date__gt=day)
    )


def clean_email(value: str) -> str:
    """Trimmed address; a malformed one is bad input naming the field (not a refusal)."""
    email = (value or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": gettext("email: %(value)s is not a valid email address") % {"value": repr(value)}}
        ) from None
    return email


def email_in_use(email: str, *, day: date) -> bool:
    return Account.objects.filter(live_on(day), email__iexact=email.strip()).exists()


def check_number(number: int | None) -> None:
    if number is None:
        return
    if not 1 <= number <= MAX_ACCOUNT_NUMBER:
        raise ValidationError(
            {"number": gettext("number: %(number)s is not a valid account number") % {"number": number}}
        )
    if Account.objects.filter(number=number).exists():
        raise Refused(
            "number_taken",
            gettext("number: account %(number)s already exists") % {"number": number},
            field="number",
        )


def eligible_sponsor(sponsor_number: int | None, *, day: date) -> Account:
    """The sponsor for a new member: "2" when none is given, else a live Brand Ambassador that day."""
    number = CORPORATE_SPONSOR_NUMBER if sponsor_number is None else sponsor_number
    sponsor = Account.objects.filter(number=number).first()
    if sponsor is None:
        raise Refused(
            "sponsor_not_found",
            gettext("sponsor: no account %(number)s") % {"number": number},
            field="sponsor",
        )
    if sponsor.number == CORPORATE_SPONSOR_NUMBER:
        return sponsor  # the Corporate Sponsor "2" designation: enrolling without a sponsor
    if sponsor.kind != AccountKind.AMBASSADOR or sponsor.is_corporate:
        raise Refused(
            "sponsor_not_eligible",
            gettext("sponsor: account %(number)s is not a Brand Ambassador") % {"number": number},
            field="sponsor",
            sponsor=number,
        )
    if not Account.objects.filter(live_on(day), pk=sponsor.pk).exists():
        raise Refused(
            "sponsor_not_eligible",
            gettext("sponsor: account %(number)s is not active on %(day)s")
            % {"number": number, "day": short_date(day)},
            field="sponsor",
            sponsor=number,
        )
    return sponsor


def check_enrollment(*, email: str, sponsor_number: int | None, number: int | None, day: date) -> Account:
    """Every refusal in the contract's order; returns the sponsor. ``email`` is already clean."""
    check_number(number)
    if email_in_use(email, day=day):
        raise Refused(
            "email_in_use",
            gettext("email: %(email)s already belongs to a live account") % {"email": email},
            field="email",
            email=email,
        )
    return eligible_sponsor(sponsor_number, day=day)
