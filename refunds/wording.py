"""Dates and money inside refunds sentences, in the active language.

English keeps ISO dates and plain two-place amounts ("2026-03-20", "83.95"): the operations commands,
the scenario runner and the API compare those answers. Spanish and Canadian French read the locale's
long date ("20 de marzo de 2026", "20 mars 2026") and decimal comma ("83,95").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import translation
from django.utils.formats import date_format, number_format

from refunds.models import RefundStatus


def _english() -> bool:
    return (translation.get_language() or "en").split("-")[0] == "en"


def day(value: date | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if _english() else date_format(value, "DATE_FORMAT")


def money(amount: Decimal) -> str:
    return f"{amount:.2f}" if _english() else number_format(amount, 2, use_l10n=True)


def status_word(status: str) -> str:
    """A refund status inside a sentence: its code in English (as operations print it), its label
    lower-cased in other languages."""
    if _english() or status not in RefundStatus.values:
        return status
    return str(RefundStatus(status).label).lower()
