"""Eligibility and amounts: the one quote every channel and the refund_quote command use."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Fulfillment
from refunds.models import Refund, RefundLine, RefundStatus
from refunds.selectors import refund_quote
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory, VipCustomerFactory

pytestmark = pytest.mark.django_db


def quote(member, order, product, reason="money_back", method="prepaid_label", as_of=None):
    return refund_quote(
        account=member, order=order, product=product, reason=reason, return_method=method, as_of=as_of
    )


def past_refund(*, account, order, product, requested_on, status):
    """An earlier return of ``product`` (one line), as the history a scenario loads."""
    refund = Refund.objects.create(account=account, order=order, requested_on=requested_on, status=status)
    RefundLine.objects.create(
        refund=refund,
        account=account,
        product=product,
        counts=status not in (RefundStatus.REJECTED, RefundStatus.EXPIRED),
    )
    return refund


def make_order(
    account, product, *, ref, on, country="US", qty=1, fulfillment=Fulfillment.SHIP, picked_up=False
):
    order = OrderFactory(
        ref=ref, account=account, ordered_on=on, country=country, fulfillment=fulfillment, picked_up=picked_up
    )
    OrderLineFactory(order=order, product=product, qty=qty, unit_price=product.price, pv=product.pv)
    return order


def test_money_back_qualifies_on_day_60_with_the_label_fee_deducted(member, slim):
    order = make_order(member, slim, ref="O-9", on=date(2026, 1, 9))
    result = quote(member, order, slim, as_of=date(2026, 3, 10))
    assert (result.eligible, result.amount, result.deduction) == (True, Decimal("83.95"), Decimal("6.00"))
    assert result.return_deadline == date(2026, 3, 20)
    assert result.window_ends_on == date(2026, 3, 10)
    assert "2026-03-20" in result.message


def test_money_back_is_refused_on_day_61_with_the_window_end_date(member, slim):
    order = make_order(member, slim, ref="O-9", on=date(2026, 1, 9))
    result = quote(member, order, slim, as_of=date(2026, 3, 11))
    assert (result.eligible, result.refusal, result.amount) == (False, "window_expired", Decimal("0.00"))
    assert "ended on 2026-03-10" in result.message


def test_satisfaction_guarantee_has_no_fixed_window(member, slim):
    order = make_order(member, slim, ref="O-old", on=date(2025, 1, 9))
    result = quote(member, order, slim, reason="satisfaction", as_of=date(2026, 3, 11))
    assert (result.eligible, result.amount, result.window_ends_on) == (True, Decimal("83.95"), None)


def test_post_office_return_deducts_nothing(member, slim):
    order = make_order(member, slim, ref="O-9", on=date(2026, 2, 9))
    result = quote(member, order, slim, method="post_office")
    assert (result.amount, result.deduction) == (Decimal("89.95"), Decimal("0.00"))


def test_label_fee_is_a_setting_per_country_and_none_elsewhere(member, slim, settings):
    settings.RETURN_LABEL_FEES = {"US": Decimal("6.00"), "CA": Decimal("8.50")}
    canada = make_order(member, slim, ref="O-CA", on=date(2026, 2, 9), country="CA")
    assert quote(member, canada, slim).deduction == Decimal("8.50")
    mexico_product = ProductFactory(sku="LEAN", price=Decimal("59.95"), pv=40)
    mexico = make_order(member, mexico_product, ref="O-MX", on=date(2026, 2, 9), country="MX")
    assert (
        quote(member, mexico, mexico_product).amount,
        quote(member, mexico, mexico_product).deduction,
    ) == (Decimal("59.95"), Decimal("0.00"))


def test_amount_is_unit_price_times_quantity_less_the_deduction(member, slim):
    order = make_order(member, slim, ref="O-2x", on=date(2026, 2, 9), qty=2)
    result = quote(member, order, slim)
    assert (result.gross, result.amount, result.pv) == (Decimal("179.90"), Decimal("173.90"), 120)


def test_a_second_refund_of_the_product_is_refused_with_the_first_date(member, slim):
    first = make_order(member, slim, ref="O-A", on=date(2025, 10, 1))
    past_refund(
        account=member,
        order=first,
        product=slim,
        requested_on=date(2025, 10, 20),
        status=RefundStatus.REFUNDED,
    )
    again = make_order(member, slim, ref="O-B", on=date(2026, 2, 15))
    result = quote(member, again, slim)
    assert (result.eligible, result.refusal, result.first_refund_on) == (
        False,
        "already_refunded",
        date(2025, 10, 20),
    )
    assert "2025-10-20" in result.message


def test_a_refund_in_progress_blocks_a_second_one(member, slim):
    first = make_order(member, slim, ref="O-A", on=date(2026, 2, 1))
    past_refund(
        account=member,
        order=first,
        product=slim,
        requested_on=date(2026, 3, 1),
        status=RefundStatus.AUTHORIZED,
    )
    assert (
        quote(member, make_order(member, slim, ref="O-B", on=date(2026, 2, 15)), slim).refusal
        == "already_refunded"
    )


@pytest.mark.parametrize("status", [RefundStatus.REJECTED, RefundStatus.EXPIRED])
def test_rejected_or_expired_refunds_do_not_count(member, slim, status):
    first = make_order(member, slim, ref="O-A", on=date(2026, 2, 1))
    past_refund(account=member, order=first, product=slim, requested_on=date(2026, 2, 10), status=status)
    assert quote(member, first, slim).eligible is True


def test_a_product_not_on_the_order_is_not_purchased(member, slim):
    lean = ProductFactory(sku="LEAN", price=Decimal("59.95"), pv=40)
    order = make_order(member, lean, ref="O-5", on=date(2026, 2, 9))
    assert quote(member, order, slim).refusal == "not_purchased"


def test_another_accounts_order_is_not_purchased(member, slim):
    other = VipCustomerFactory(number=3002)
    order = make_order(other, slim, ref="O-X", on=date(2026, 2, 9))
    assert quote(member, order, slim).refusal == "not_purchased"


def test_window_is_checked_before_not_purchased(member, slim):
    lean = ProductFactory(sku="LEAN", price=Decimal("59.95"), pv=40)
    order = make_order(member, lean, ref="O-5", on=date(2025, 12, 1))
    assert quote(member, order, slim).refusal == "window_expired"


def test_store_pickup_refunds_the_whole_lines_without_deduction(member, slim):
    order = make_order(member, slim, ref="O-3", on=date(2026, 3, 5), fulfillment=Fulfillment.PICKUP)
    result = quote(member, order, slim, reason="store_pickup")
    assert (result.eligible, result.amount, result.deduction, result.return_required) == (
        True,
        Decimal("89.95"),
        Decimal("0.00"),
        False,
    )


def test_store_pickup_is_refused_once_picked_up(member, slim):
    order = make_order(
        member, slim, ref="O-3", on=date(2026, 3, 5), fulfillment=Fulfillment.PICKUP, picked_up=True
    )
    result = quote(member, order, slim, reason="store_pickup")
    assert (result.refusal, "already picked up" in result.message) == ("not_pickup_order", True)


def test_store_pickup_is_refused_for_a_shipped_order(member, slim):
    order = make_order(member, slim, ref="O-1", on=date(2026, 2, 1))
    assert quote(member, order, slim, reason="store_pickup").refusal == "not_pickup_order"
