"""Calendar arithmetic exactly as scenarios.md defines it, every boundary it names."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.models import AccountKind
from accounts.selectors import Activity, decide_activity
from leads.selectors import LeadRow, classify
from plexus_office import clock
from plexus_office.dates import add_months, half_month, parse_month, previous_months


def test_six_months_before_august_31_is_february_28():
    assert add_months(date(2026, 8, 31), -6) == date(2026, 2, 28)


def test_month_arithmetic_keeps_february_29_in_a_leap_year():
    assert add_months(date(2028, 8, 31), -6) == date(2028, 2, 29)


def test_adding_months_across_a_year_end():
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_within_the_last_12_months_includes_the_day_exactly_12_months_before():
    verdict = decide_activity(
        kind=AccountKind.VIP_CUSTOMER, as_of=date(2026, 8, 31), last_order_on=date(2025, 8, 31)
    )
    assert verdict.activity == Activity.ACTIVE


def test_within_the_last_12_months_excludes_the_day_before_that():
    verdict = decide_activity(
        kind=AccountKind.VIP_CUSTOMER, as_of=date(2026, 8, 31), last_order_on=date(2025, 8, 30)
    )
    assert verdict.activity == Activity.INACTIVE


def test_within_the_last_months_clamps_to_the_month_end():
    # 2026-02-28 minus 12 months is 2025-02-28: an order that day still counts.
    verdict = decide_activity(
        kind=AccountKind.RETAIL_CUSTOMER, as_of=date(2026, 2, 28), last_order_on=date(2025, 2, 28)
    )
    assert verdict.activity == Activity.ACTIVE


def _lead(listed: date):
    return LeadRow(
        id=1,
        number=5001,
        name="Lee",
        email="",
        phone="",
        kind=AccountKind.AMBASSADOR,
        status="active",
        country="US",
        listed_under_2_on=listed,
        correction_pending=False,
    )


def test_a_lead_listed_14_days_ago_is_due():
    assert classify(_lead(date(2026, 2, 24)), as_of=date(2026, 3, 10)) is None


def test_a_lead_listed_13_days_ago_is_not_due():
    assert classify(_lead(date(2026, 2, 25)), as_of=date(2026, 3, 10)) == "not_due"


def test_overdue_by_exactly_6_months_counts_as_6_months_or_more():
    # Due 2026-08-31: six calendar months later is 2027-02-28.
    verdict = decide_activity(
        kind=AccountKind.AMBASSADOR,
        as_of=date(2027, 2, 28),
        last_order_on=None,
        membership_fee_due_on=date(2026, 8, 31),
    )
    assert verdict.activity == Activity.INACTIVE


def test_one_day_short_of_6_months_overdue_is_less_than_6_months():
    verdict = decide_activity(
        kind=AccountKind.AMBASSADOR,
        as_of=date(2027, 2, 27),
        last_order_on=None,
        membership_fee_due_on=date(2026, 8, 31),
    )
    assert verdict.activity == Activity.ACTIVE


def test_two_calendar_months_before_march_are_january_and_february():
    assert previous_months(date(2026, 3, 10), 2) == [date(2026, 1, 1), date(2026, 2, 1)]


def test_two_calendar_months_before_january_are_november_and_december_of_the_year_before():
    assert previous_months(date(2026, 1, 31), 2) == [date(2025, 11, 1), date(2025, 12, 1)]


def test_two_calendar_months_before_february_are_december_and_january():
    assert previous_months(date(2026, 2, 1), 2) == [date(2025, 12, 1), date(2026, 1, 1)]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 2, 15), (date(2026, 2, 1), date(2026, 2, 15))),
        (date(2026, 2, 16), (date(2026, 2, 16), date(2026, 2, 28))),
        (date(2028, 2, 29), (date(2028, 2, 16), date(2028, 2, 29))),
    ],
)
def test_half_month_splits_on_the_15th(day, expected):
    assert half_month(day) == expected


def test_parse_month_refuses_a_malformed_month():
    with pytest.raises(ValueError, match="2026-3"):
        parse_month("2026-3")


def test_clock_reads_a_frozen_day_and_an_explicit_day_wins():
    with clock.frozen_at(date(2026, 3, 10)):
        assert clock.today() == date(2026, 3, 10)
        assert clock.today(date(2025, 1, 1)) == date(2025, 1, 1)
        assert clock.now().date() == date(2026, 3, 10)
