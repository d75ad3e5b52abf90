"""Refunds sentences in the active language, and the dates and money inside them.

English keeps ISO dates and plain two-place amounts ("2026-03-20", "83.95"): the operations commands,
the scenario runner and the API compare those answers. Spanish and Canadian French read the locale's
long date ("20 de marzo de 2026", "20 mars 2026") and decimal comma ("83,95").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from plexus_office.platform.l10n import day_text, is_english
from plexus_office.platform.money import ZERO
from refunds.models import RefundReason, RefundStatus, ReturnMethod

if TYPE_CHECKING:
    from refunds.selectors import RefundQuote


def day(value: date | None) -> str:
    return day_text(value)


def money(amount: Decimal) -> str:
    # Ungrouped in every language ("1234,50"): refund amounts read as one figure in a sentence.
    return f"{amount:.2f}" if is_english() else number_format(amount, 2, use_l10n=True)


def status_word(status: str) -> str:
    """A refund status inside a sentence: its code in English (as operations print it), its label
    lower-cased in other languages."""
    if is_english() or status not in RefundStatus.values:
        return status
    return str(RefundStatus(status).label).lower()


def eligible_message(
    *,
    order_ref: str,
    skus: Sequence[str],
    reason: str,
    return_method: str,
    gross: Decimal,
    deduction: Decimal = ZERO,
    deadline: date | None = None,
    window: date | None = None,
) -> str:
    """What an eligible quote tells the person, in the active language."""
    names = ", ".join(skus)
    if reason == RefundReason.STORE_PICKUP:
        return _(
            "Order %(order)s (%(products)s) is refunded whole (%(gross)s); nothing to return, and a new "
            "order is created to ship the products to you."
        ) % {"order": order_ref, "products": names, "gross": money(gross)}
    facts = {
        "amount": money(gross - deduction),
        "gross": money(gross),
        "products": names,
        "deduction": money(deduction),
        "deadline": day(deadline),
        "window": day(window),
    }
    # Whole sentences (not pieces glued together) so each language can order them its own way.
    if return_method == ReturnMethod.PREPAID_LABEL and window is not None:
        text = _(
            "Refund of %(amount)s (%(gross)s paid for %(products)s, less %(deduction)s return shipping). "
            "Ship the packaging and whatever product remains in one package with the prepaid label "
            "Customer Service sends you by %(deadline)s; the guarantee window ends on %(window)s."
        )
    elif return_method == ReturnMethod.PREPAID_LABEL:
        text = _(
            "Refund of %(amount)s (%(gross)s paid for %(products)s, less %(deduction)s return shipping). "
            "Ship the packaging and whatever product remains in one package with the prepaid label "
            "Customer Service sends you by %(deadline)s."
        )
    elif window is not None:
        text = _(
            "Refund of %(amount)s (%(gross)s paid for %(products)s, less %(deduction)s return shipping). "
            "Ship the packaging and whatever product remains in one package by mail, paying the postage "
            "at the post office by %(deadline)s; the guarantee window ends on %(window)s."
        )
    else:
        text = _(
            "Refund of %(amount)s (%(gross)s paid for %(products)s, less %(deduction)s return shipping). "
            "Ship the packaging and whatever product remains in one package by mail, paying the postage "
            "at the post office by %(deadline)s."
        )
    return text % facts


def quote_note(quote: RefundQuote, *, order_ref: str) -> str:
    """An eligible quote's message in the site's language, for the audit trail staff read."""
    with translation.override(settings.LANGUAGE_CODE):
        return eligible_message(
            order_ref=order_ref,
            skus=[line.sku for line in quote.lines],
            reason=quote.reason,
            return_method=quote.return_method,
            gross=quote.gross,
            deduction=quote.deduction,
            deadline=quote.return_deadline,
            window=quote.window_ends_on,
        )
