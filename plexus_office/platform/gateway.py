"""Payment gateway: the interface every program calls, and the built-in sandbox.

``get_gateway()`` returns the implementation named by ``settings.PAYMENT_GATEWAY``.

Sandbox test card numbers (any future expiry, any 3-digit CVV, 4 digits for Amex):

=====================  ==========  ==================================================
4242424242424242       Visa        succeeds
5555555555554444       Mastercard  succeeds
378282246310005        Amex        succeeds
4000000000000002       Visa        declined when added (tokenize raises CardDeclined)
4000000000000341       Visa        added fine; every charge is declined
4000000000000119       Visa        the gateway times out (tokenize raises GatewayTimeout)
=====================  ==========  ==================================================

Any other Luhn-valid Visa/Mastercard/Amex/Discover number succeeds. Faults for tests, shared across
processes: ``SandboxGateway.inject_fault(operation="refund", kind="timeout_after_commit")``.

The sandbox keeps what a card-on-file screen shows (token, brand, last four, expiry) and never the
number or the CVV, not even in an exception message. Like a real gateway it is outside the caller's
business transaction: call it after committing your own "in progress" row, outside ``atomic()``, so
its records survive whatever your code does next.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.module_loading import import_string

from plexus_office import clock
from plexus_office.platform.models import SandboxCard, SandboxCharge, SandboxFault, SandboxRefund


class GatewayError(Exception):
    """The gateway refused or failed; the message is safe to show (never card data)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class CardDeclined(GatewayError):
    pass


class GatewayTimeout(GatewayError):
    """No answer in time: the operation may or may not have happened; retry with the same key."""


@dataclass(frozen=True)
class CardToken:
    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class Charge:
    id: str
    amount: Decimal


@dataclass(frozen=True)
class GatewayRefund:
    id: str
    charge_id: str
    amount: Decimal


class PaymentGateway(Protocol):
    def tokenize(
        self, *, number: str, exp_month: int, exp_year: int, cvv: str, holder_name: str, postal_code: str
    ) -> CardToken: ...

    def charge(self, *, token: str, amount: Decimal, idempotency_key: str) -> Charge: ...

    def refund(self, *, charge_id: str, amount: Decimal, idempotency_key: str) -> GatewayRefund: ...

    def delete_card(self, *, token: str) -> None: ...


def get_gateway() -> PaymentGateway:
    return import_string(settings.PAYMENT_GATEWAY)()


# --- Input checks --------------------------------------------------------------------------------

_DECLINE_ON_TOKENIZE = "4000000000000002"
_DECLINE_ON_CHARGE = "4000000000000341"
_TIMEOUT = "4000000000000119"


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand(digits: str) -> str:
    if digits[0] == "4":
        return "Visa"
    if digits[:2] in {"51", "52", "53", "54", "55"} or 2221 <= int(digits[:4]) <= 2720:
        return "Mastercard"
    if digits[:2] in {"34", "37"}:
        return "Amex"
    if digits.startswith(("6011", "65")) or 644 <= int(digits[:3]) <= 649:
        return "Discover"
    return ""


def _clean_number(number: str) -> str:
    digits = "".join(ch for ch in str(number) if ch not in " -")
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        raise GatewayError("Card number: enter the 13 to 19 digits on the card.", field="number")
    if not luhn_valid(digits):
        # The message names the field and the last four only: never echo the number.
        raise GatewayError(f"Card number ending {digits[-4:]} is not a valid card number.", field="number")
    return digits


def _clean_amount(amount: Decimal, field: str = "amount") -> Decimal:
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise GatewayError(f"{field}: not an amount", field=field) from None
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        raise GatewayError(f"{field}: must be positive with at most two decimals (got {value})", field=field)
    return value.quantize(Decimal("0.01"))


def _clean_key(key: str) -> str:
    if not key or not str(key).strip():
        raise GatewayError("idempotency_key is required", field="idempotency_key")
    return str(key)


# --- Sandbox -------------------------------------------------------------------------------------


class SandboxGateway:
    """A gateway for development and tests whose state lives in the platform tables."""

    # --- fault injection (tests, demos) ---
    @staticmethod
    def inject_fault(*, operation: str, kind: str, times: int = 1) -> None:
        if operation not in SandboxFault.OPERATIONS:
            raise ValueError(f"operation must be one of {SandboxFault.OPERATIONS}")
        if kind not in SandboxFault.KINDS:
            raise ValueError(f"kind must be one of {SandboxFault.KINDS}")
        if times < 1:
            raise ValueError("times must be at least 1")
        SandboxFault.objects.create(operation=operation, kind=kind, remaining=times)

    @staticmethod
    def clear_faults() -> None:
        SandboxFault.objects.all().delete()

    @staticmethod
    def _take_fault(operation: str) -> str:
        """Consume one pending fault for ``operation`` (a conditional UPDATE, so each fires once)."""
        for fault in SandboxFault.objects.filter(operation=operation, remaining__gt=0).order_by("id"):
            if SandboxFault.objects.filter(pk=fault.pk, remaining__gt=0).update(remaining=F("remaining") - 1):
                return fault.kind
        return ""

    @staticmethod
    def _raise_before(kind: str, operation: str) -> None:
        if kind == "timeout":
            raise GatewayTimeout(f"The payment gateway did not answer in time ({operation}).")
        if kind == "error":
            raise GatewayError(f"The payment gateway failed ({operation}); try again later.")
        if kind == "decline":
            raise CardDeclined(f"The card was declined ({operation}).")

    # --- operations ---
    def tokenize(
        self,
        *,
        number: str,
        exp_month: int,
        exp_year: int,
        cvv: str,
        holder_name: str = "",
        postal_code: str = "",
    ) -> CardToken:
        digits = _clean_number(number)
        last4 = digits[-4:]
        brand = card_brand(digits)
        if not brand:
            raise GatewayError(
                f"Card number ending {last4}: this card brand is not accepted.", field="number"
            )
        try:
            month, year = int(exp_month), int(exp_year)
        except (TypeError, ValueError):
            raise GatewayError(
                "Expiry: enter the month and year printed on the card.", field="exp_month"
            ) from None
        if year < 100:
            year += 2000
        if not 1 <= month <= 12:
            raise GatewayError("Expiry month: must be 1 to 12.", field="exp_month")
        today = clock.today()
        if (year, month) < (today.year, today.month):
            raise CardDeclined(f"The card ending {last4} has expired ({month:02d}/{year}).", field="exp_year")
        cvv_digits = str(cvv or "")
        if not cvv_digits.isdigit() or len(cvv_digits) != (4 if brand == "Amex" else 3):
            raise GatewayError(
                f"Security code: enter the {4 if brand == 'Amex' else 3} digits on the card.", field="cvv"
            )
        kind = self._take_fault("tokenize")
        self._raise_before(kind, "tokenize")
        if digits == _TIMEOUT:
            raise GatewayTimeout(f"The payment gateway did not answer in time (card ending {last4}).")
        if digits == _DECLINE_ON_TOKENIZE:
            raise CardDeclined(f"The card ending {last4} was declined by the bank.", field="number")
        card = SandboxCard.objects.create(
            token=f"tok_{secrets.token_hex(12)}",
            brand=brand,
            last4=last4,
            exp_month=month,
            exp_year=year,
            charge_outcome="decline" if digits == _DECLINE_ON_CHARGE else "ok",
        )
        result = CardToken(card.token, brand, last4, month, year)
        if kind == "timeout_after_commit":
            raise GatewayTimeout("The payment gateway did not answer in time (tokenize).")
        return result

    def charge(self, *, token: str, amount: Decimal, idempotency_key: str) -> Charge:
        value = _clean_amount(amount)
        key = _clean_key(idempotency_key)
        existing = SandboxCharge.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return self._same_charge(existing, token, value)
        kind = self._take_fault("charge")
        self._raise_before(kind, "charge")
        card = SandboxCard.objects.filter(token=token, deleted_at__isnull=True).first()
        if card is None:
            raise GatewayError("The card is not on file at the gateway (removed or unknown).", field="token")
        today = clock.today()
        if (card.exp_year, card.exp_month) < (today.year, today.month):
            raise CardDeclined(f"The card ending {card.last4} has expired.")
        if card.charge_outcome == "decline":
            raise CardDeclined(f"The card ending {card.last4} was declined by the bank.")
        try:
            with transaction.atomic():
                row = SandboxCharge.objects.create(
                    charge_id=f"ch_{secrets.token_hex(12)}", token=token, amount=value, idempotency_key=key
                )
        except IntegrityError:
            # Another process charged with this key first: answer with its charge.
            return self._same_charge(SandboxCharge.objects.get(idempotency_key=key), token, value)
        if kind == "timeout_after_commit":
            raise GatewayTimeout("The payment gateway did not answer in time (charge).")
        return Charge(row.charge_id, row.amount)

    @staticmethod
    def _same_charge(row, token: str, amount: Decimal) -> Charge:
        if row.token != token or row.amount != amount:
            raise GatewayError(
                "idempotency_key was already used for a different charge", field="idempotency_key"
            )
        return Charge(row.charge_id, row.amount)

    def refund(self, *, charge_id: str, amount: Decimal, idempotency_key: str) -> GatewayRefund:
        value = _clean_amount(amount)
        key = _clean_key(idempotency_key)
        existing = SandboxRefund.objects.filter(idempotency_key=key).select_related("charge").first()
        if existing is not None:
            return self._same_refund(existing, charge_id, value)
        kind = self._take_fault("refund")
        self._raise_before(kind, "refund")
        try:
            with transaction.atomic():
                # Lock the charge so two different refunds of it cannot both pass the balance check.
                charge = SandboxCharge.objects.select_for_update().filter(charge_id=charge_id).first()
                if charge is None:
                    raise GatewayError(f"No charge {charge_id} at the gateway.", field="charge_id")
                # Someone holding the lock before us may have made this very refund (same key).
                again = SandboxRefund.objects.filter(idempotency_key=key).select_related("charge").first()
                if again is not None:
                    return self._same_refund(again, charge_id, value)
                refunded = charge.refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
                if refunded + value > charge.amount:
                    raise GatewayError(
                        f"amount: {value} exceeds what is left to refund on {charge_id} "
                        f"({charge.amount - refunded} of {charge.amount})",
                        field="amount",
                    )
                row = SandboxRefund.objects.create(
                    refund_id=f"re_{secrets.token_hex(12)}", charge=charge, amount=value, idempotency_key=key
                )
        except IntegrityError:
            # The same key won in another process at the same moment: that refund is this refund.
            existing = SandboxRefund.objects.select_related("charge").get(idempotency_key=key)
            return self._same_refund(existing, charge_id, value)
        if kind == "timeout_after_commit":
            raise GatewayTimeout("The payment gateway did not answer in time (refund).")
        return GatewayRefund(row.refund_id, charge_id, row.amount)

    @staticmethod
    def _same_refund(row, charge_id: str, amount: Decimal) -> GatewayRefund:
        if row.charge.charge_id != charge_id or row.amount != amount:
            raise GatewayError(
                "idempotency_key was already used for a different refund", field="idempotency_key"
            )
        return GatewayRefund(row.refund_id, charge_id, row.amount)

    def delete_card(self, *, token: str) -> None:
        """Remove a card; deleting one already gone is a success (retries are safe)."""
        kind = self._take_fault("delete_card")
        self._raise_before(kind, "delete_card")
        SandboxCard.objects.filter(token=token, deleted_at__isnull=True).update(deleted_at=timezone.now())
        if kind == "timeout_after_commit":
            raise GatewayTimeout("The payment gateway did not answer in time (delete_card).")
