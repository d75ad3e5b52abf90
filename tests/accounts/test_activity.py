"""Activity rules (clearing.txt, business-rules §4) read from the database as of a day."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.selectors import Activity, account_activity
from tests.factories import (
    AmbassadorFactory,
    MembershipFeePaymentFactory,
    OrderFactory,
    RetailCustomerFactory,
    VipCustomerFactory,
)

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 3, 10)


def test_customer_with_an_order_exactly_12_months_ago_is_active():
    customer = VipCustomerFactory()
    OrderFactory(account=customer, ordered_on=date(2025, 3, 10))

    verdict = account_activity(account=customer, as_of=AS_OF)

    assert verdict.activity == Activity.ACTIVE
    assert verdict.last_order_on == date(2025, 3, 10)


def test_customer_whose_last_order_is_a_day_older_than_12_months_is_inactive():
    customer = RetailCustomerFactory()
    OrderFactory(account=customer, ordered_on=date(2025, 3, 9))

    verdict = account_activity(account=customer, as_of=AS_OF)

    assert verdict.activity == Activity.INACTIVE
    assert verdict.reason == "no order on or after 2025-03-10 (12 months before 2026-03-10)"


def test_customer_order_after_the_day_asked_about_is_ignored():
    customer = VipCustomerFactory()
    OrderFactory(account=customer, ordered_on=date(2026, 3, 11))

    assert account_activity(account=customer, as_of=AS_OF).activity == Activity.INACTIVE


def test_ambassador_who_paid_the_fee_within_12_months_is_active_even_if_long_overdue():
    ambassador = AmbassadorFactory(membership_fee_due_on=date(2025, 6, 1))
    MembershipFeePaymentFactory(account=ambassador, paid_on=date(2025, 3, 10))

    verdict = account_activity(account=ambassador, as_of=AS_OF)

    assert verdict.activity == Activity.ACTIVE
    assert verdict.last_fee_paid_on == date(2025, 3, 10)


def test_ambassador_less_than_6_months_overdue_is_active():
    ambassador = AmbassadorFactory(membership_fee_due_on=date(2025, 9, 11))

    verdict = account_activity(account=ambassador, as_of=AS_OF)

    assert verdict.activity == Activity.ACTIVE
    assert verdict.months_overdue == 5


def test_ambassador_6_months_overdue_without_orders_in_6_months_is_inactive():
    ambassador = AmbassadorFactory(membership_fee_due_on=date(2025, 9, 10))
    OrderFactory(account=ambassador, ordered_on=date(2025, 9, 9))

    verdict = account_activity(account=ambassador, as_of=AS_OF)

    assert verdict.activity == Activity.INACTIVE
    assert verdict.months_overdue == 6


def test_ambassador_6_months_overdue_who_ordered_within_6_months_is_neither():
    ambassador = AmbassadorFactory(membership_fee_due_on=date(2025, 1, 1))
    OrderFactory(account=ambassador, ordered_on=date(2025, 9, 10))

    verdict = account_activity(account=ambassador, as_of=AS_OF)

    assert verdict.activity == Activity.NEITHER
    assert verdict.last_order_on == date(2025, 9, 10)


def test_activity_of_one_account_is_one_query(django_assert_num_queries):
    ambassador = AmbassadorFactory(membership_fee_due_on=date(2025, 1, 1))

    # 1: the account with its last order and last fee payment as subqueries
    with django_assert_num_queries(1):
        account_activity(account=ambassador, as_of=AS_OF)
