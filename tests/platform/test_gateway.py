import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from plexus_office import clock
from plexus_office.platform.gateway import (
    CardDeclined,
    CardToken,
    GatewayError,
    GatewayTimeout,
    SandboxGateway,
    get_gateway,
)
from plexus_office.platform.models import SandboxCard, SandboxCharge, SandboxFault, SandboxRefund

pytestmark = pytest.mark.django_db

CARD = {"exp_month": 12, "exp_year": 2030, "cvv": "123", "holder_name": "Ann Example", "postal_code": "85001"}


def _card(number="4242424242424242", **overrides):
    return SandboxGateway().tokenize(number=number, **{**CARD, **overrides})


def _all_sandbox_text() -> str:
    """Every value in every sandbox table, as one string."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for model in (SandboxCard, SandboxCharge, SandboxRefund, SandboxFault):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")
            chunks.extend(str(v) for row in cursor.fetchall() for v in row)
    return "|".join(chunks)


def test_get_gateway_returns_the_configured_sandbox():
    assert isinstance(get_gateway(), SandboxGateway)


def test_tokenize_keeps_token_brand_last4_and_expiry_only():
    token = _card("4242 4242 4242 4242")
    assert token.brand == "Visa" and token.last4 == "4242"
    assert (token.exp_month, token.exp_year) == (12, 2030)
    stored = SandboxCard.objects.get(token=token.token)
    assert (stored.brand, stored.last4, stored.exp_month, stored.exp_year) == ("Visa", "4242", 12, 2030)
    text = _all_sandbox_text()
    assert "4242424242424242" not in text
    assert "123" not in text.replace(token.token, "")


@pytest.mark.parametrize(
    ("number", "brand", "last4"),
    [("5555555555554444", "Mastercard", "4444"), ("378282246310005", "Amex", "0005")],
)
def test_documented_success_numbers_tokenize(number, brand, last4):
    token = _card(number, cvv="1234" if brand == "Amex" else "123")
    assert (token.brand, token.last4) == (brand, last4)


def test_decline_number_is_refused_and_nothing_is_stored():
    with pytest.raises(CardDeclined) as exc:
        _card("4000000000000002")
    assert "0002" in str(exc.value) and "4000000000000002" not in str(exc.value)
    assert SandboxCard.objects.count() == 0


def test_timeout_number_times_out_and_nothing_is_stored():
    with pytest.raises(GatewayTimeout):
        _card("4000000000000119")
    assert SandboxCard.objects.count() == 0


def test_invalid_number_names_the_field_without_echoing_the_number():
    with pytest.raises(GatewayError) as exc:
        _card("4242424242424241")
    assert exc.value.field == "number"
    assert "4242424242424241" not in str(exc.value)
    assert SandboxCard.objects.count() == 0


def test_expired_card_is_declined_by_expiry():
    with clock.frozen_at(clock.today().replace(year=2031)), pytest.raises(CardDeclined) as exc:
        _card(exp_year=2030)
    assert exc.value.field == "exp_year"


def test_wrong_cvv_length_names_the_security_code():
    with pytest.raises(GatewayError) as exc:
        _card(cvv="12")
    assert exc.value.field == "cvv"


def test_charge_twice_with_the_same_key_charges_once():
    token = _card()
    gw = SandboxGateway()
    first = gw.charge(token=token.token, amount=Decimal("89.95"), idempotency_key="order-1")
    again = gw.charge(token=token.token, amount=Decimal("89.95"), idempotency_key="order-1")
    assert first == again
    assert SandboxCharge.objects.count() == 1


def test_charge_declined_number_tokenizes_but_charges_fail():
    token = _card("4000000000000341")
    with pytest.raises(CardDeclined):
        SandboxGateway().charge(token=token.token, amount=Decimal("10.00"), idempotency_key="k1")
    assert SandboxCharge.objects.count() == 0


def test_charge_on_a_deleted_card_is_refused():
    token = _card()
    gw = SandboxGateway()
    gw.delete_card(token=token.token)
    gw.delete_card(token=token.token)  # a retried delete is fine
    with pytest.raises(GatewayError):
        gw.charge(token=token.token, amount=Decimal("10.00"), idempotency_key="k1")
    assert SandboxCharge.objects.count() == 0


def _charged(amount="89.95") -> tuple[SandboxGateway, str]:
    gw = SandboxGateway()
    token: CardToken = _card()
    return gw, gw.charge(token=token.token, amount=Decimal(amount), idempotency_key="order-7").id


def test_refund_retried_with_the_same_key_pays_once():
    gw, charge_id = _charged()
    first = gw.refund(charge_id=charge_id, amount=Decimal("83.95"), idempotency_key="refund-7")
    retry = gw.refund(charge_id=charge_id, amount=Decimal("83.95"), idempotency_key="refund-7")
    assert retry == first
    assert list(SandboxRefund.objects.values_list("amount", flat=True)) == [Decimal("83.95")]


def test_lost_refund_response_then_retry_pays_once():
    gw, charge_id = _charged()
    SandboxGateway.inject_fault(operation="refund", kind="timeout_after_commit")
    with pytest.raises(GatewayTimeout):
        gw.refund(charge_id=charge_id, amount=Decimal("83.95"), idempotency_key="refund-7")
    assert SandboxRefund.objects.count() == 1  # the money moved although the answer was lost
    retry = gw.refund(charge_id=charge_id, amount=Decimal("83.95"), idempotency_key="refund-7")
    assert retry.amount == Decimal("83.95")
    assert SandboxRefund.objects.count() == 1


def test_refund_timeout_before_processing_pays_nothing_until_retried():
    gw, charge_id = _charged()
    SandboxGateway.inject_fault(operation="refund", kind="timeout")
    with pytest.raises(GatewayTimeout):
        gw.refund(charge_id=charge_id, amount=Decimal("10.00"), idempotency_key="refund-8")
    assert SandboxRefund.objects.count() == 0
    gw.refund(charge_id=charge_id, amount=Decimal("10.00"), idempotency_key="refund-8")
    assert SandboxRefund.objects.count() == 1


def test_refund_over_the_charged_amount_is_refused():
    gw, charge_id = _charged("50.00")
    gw.refund(charge_id=charge_id, amount=Decimal("40.00"), idempotency_key="r1")
    with pytest.raises(GatewayError) as exc:
        gw.refund(charge_id=charge_id, amount=Decimal("10.01"), idempotency_key="r2")
    assert exc.value.field == "amount"
    assert SandboxRefund.objects.count() == 1


def test_reusing_a_refund_key_for_another_amount_is_refused():
    gw, charge_id = _charged()
    gw.refund(charge_id=charge_id, amount=Decimal("10.00"), idempotency_key="r1")
    with pytest.raises(GatewayError) as exc:
        gw.refund(charge_id=charge_id, amount=Decimal("20.00"), idempotency_key="r1")
    assert exc.value.field == "idempotency_key"
    assert SandboxRefund.objects.count() == 1


def test_refund_amount_with_three_decimals_is_refused():
    gw, charge_id = _charged()
    with pytest.raises(GatewayError) as exc:
        gw.refund(charge_id=charge_id, amount=Decimal("1.005"), idempotency_key="r1")
    assert exc.value.field == "amount"
    assert SandboxRefund.objects.count() == 0


def test_injected_fault_fires_the_given_number_of_times():
    gw, charge_id = _charged()
    SandboxGateway.inject_fault(operation="refund", kind="error", times=2)
    for _ in range(2):
        with pytest.raises(GatewayError):
            gw.refund(charge_id=charge_id, amount=Decimal("1.00"), idempotency_key="r1")
    assert gw.refund(charge_id=charge_id, amount=Decimal("1.00"), idempotency_key="r1").amount == Decimal(
        "1.00"
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_refunding_with_one_key_pay_once():
    gw, charge_id = _charged()
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(gw.refund(charge_id=charge_id, amount=Decimal("5.00"), idempotency_key="same"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results[0] == results[1]
    assert SandboxRefund.objects.count() == 1
