from datetime import date

import pytest

from plexus_office.platform.business_days import add_business_days, business_days_between, is_business_day


def test_thanksgiving_2026_is_not_a_business_day():
    assert is_business_day(date(2026, 11, 26)) is False


def test_one_business_day_after_the_wednesday_before_thanksgiving_is_friday():
    assert add_business_days(date(2026, 11, 25), 1) == date(2026, 11, 27)


def test_july_4th_2026_on_a_saturday_is_observed_on_friday_the_3rd():
    assert is_business_day(date(2026, 7, 3)) is False
    assert add_business_days(date(2026, 7, 2), 1) == date(2026, 7, 6)


def test_weekends_are_skipped():
    assert is_business_day(date(2026, 3, 14)) is False  # Saturday
    assert is_business_day(date(2026, 3, 15)) is False  # Sunday
    assert add_business_days(date(2026, 3, 13), 1) == date(2026, 3, 16)


def test_a_request_on_saturday_is_due_monday():
    assert add_business_days(date(2026, 3, 14), 1) == date(2026, 3, 16)


def test_two_business_days_across_christmas_2026():
    # Thursday 24th → Friday 25th is Christmas → Monday 28th, Tuesday 29th.
    assert add_business_days(date(2026, 12, 24), 2) == date(2026, 12, 29)


def test_state_holidays_are_business_days():
    # Cesar Chavez Day (California only) is an ordinary business day for the company.
    assert is_business_day(date(2026, 3, 31)) is True


def test_zero_days_is_the_same_day_and_negative_counts_back():
    assert add_business_days(date(2026, 11, 27), 0) == date(2026, 11, 27)
    assert add_business_days(date(2026, 11, 27), -1) == date(2026, 11, 25)


def test_business_days_between_counts_days_after_start():
    assert business_days_between(date(2026, 11, 25), date(2026, 11, 30)) == 2


def test_fractional_days_are_refused():
    with pytest.raises(TypeError):
        add_business_days(date(2026, 3, 10), 1.5)  # type: ignore[arg-type]
