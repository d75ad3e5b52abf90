"""Member lookup for staff: one search box that takes a number, a name, an email or a phone.

Each kind of term rides its own index at a million accounts (bench/README.md):
- a whole number: the unique ``number`` (and, with 7+ digits, the phone index as well);
- an address with "@": ``lower(email)`` equality, read from two partial indexes that together cover
  every account: ``account_email_unique_live`` (live accounts with an email) and
  ``account_email_lower_other`` (the rest); the query spells both conditions so PostgreSQL ORs them;
- a phone number (``+``, digits, spaces, dashes, brackets): normalised to E.164, ``account_phone``;
- anything else is a name: ``UPPER(name) LIKE '%term%'`` served by the trigram GIN index
  ``account_name_trgm`` on PostgreSQL (migration 0006). Results are ordered by ``lower(name)``,
  which no index provides, so the planner cannot choose to walk the whole name index to satisfy
  ``ORDER BY ... LIMIT`` while filtering a rare name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from accounts.models import LIVE_EMAIL, Account

MIN_NAME_CHARS = 3
LIMIT = 50
_PHONE = re.compile(r"^\+?[\d\s().\-]{7,}$")


@dataclass(frozen=True)
class LookupResult:
    term: str
    kind: str  # number | email | phone | name | empty | too_short
    accounts: list[Account]
    more: bool  # more matches than shown: refine the term
    message: str = ""


def _phone_e164(term: str) -> str:
    try:
        parsed = phonenumbers.parse(term, "US")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def member_lookup_queryset(term: str) -> tuple[str, QuerySet[Account] | None]:
    """(kind of term, matching accounts) — the queryset is unordered and unsliced."""
    text = term.strip().lstrip("#").strip()
    if not text:
        return "empty", None
    accounts = Account.objects.all()
    if text.isdigit():
        match = Q(number=int(text)) if len(text) <= 18 else Q(pk__in=[])
        phone = _phone_e164(text) if len(text) >= 7 else ""
        if phone:
            match |= Q(phone=phone)
        return "number", accounts.filter(match)
    if "@" in text:
        either = LIVE_EMAIL | ~LIVE_EMAIL  # every account, but each half names its partial index
        return "email", accounts.annotate(email_lower=Lower("email")).filter(either, email_lower=text.lower())
    if _PHONE.match(text):
        phone = _phone_e164(text)
        return "phone", accounts.filter(phone=phone) if phone else accounts.none()
    if len(text) < MIN_NAME_CHARS:
        return "too_short", None
    return "name", accounts.filter(name__icontains=text)


def member_lookup(*, term: str, limit: int = LIMIT) -> LookupResult:
    """Up to ``limit`` accounts matching ``term``, name order; ``more`` says the list was cut."""
    kind, queryset = member_lookup_queryset(term)
    if queryset is None:
        message = (
            f"Type at least {MIN_NAME_CHARS} letters of a name, or a whole number, email or phone."
            if kind == "too_short"
            else ""
        )
        return LookupResult(term=term, kind=kind, accounts=[], more=False, message=message)
    rows = list(queryset.select_related("sponsor").order_by(Lower("name"), "number")[: limit + 1])
    return LookupResult(term=term, kind=kind, accounts=rows[:limit], more=len(rows) > limit)
