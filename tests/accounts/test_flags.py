from __future__ import annotations

from datetime import date

import pytest
from django_celery_beat.models import PeriodicTask

from accounts.flags import account_flag_codes, flags_refresh, flags_refresh_all
from accounts.models import AccountFlag
from plexus_office import clock
from tests.factories import AmbassadorFactory, SavedCardFactory, SubscriptionFactory

pytestmark = pytest.mark.usefixtures("_today")


def test_a_complete_reviewed_account_has_no_flag(member):
    assert account_flag_codes(account=member) == []


def test_bounced_email_is_flagged(member):
    member.email_bounced_at = clock.now()
    member.save()
    assert account_flag_codes(account=member) == ["email_bounced"]


def test_active_subscription_without_card_is_flagged(member):
    SubscriptionFactory(account=member, card=None)
    assert account_flag_codes(account=member) == ["subscription_card_missing"]


def test_subscription_card_expired_last_month_is_flagged(member):
    card = SavedCardFactory(account=member, is_default=True, exp_month=2, exp_year=2026)
    SubscriptionFactory(account=member, card=card)
    assert account_flag_codes(account=member) == ["subscription_card_expired"]


def test_card_expiring_within_30_days_with_active_subscription_is_flagged(member):
    # Today 2026-03-10: a 03/2026 card ends 2026-03-31, within 30 days; 04/2026 ends 2026-04-30, not.
    card = SavedCardFactory(account=member, is_default=True, exp_month=3, exp_year=2026)
    SubscriptionFactory(account=member, card=card)
    assert account_flag_codes(account=member) == ["card_expiring"]


def test_card_expiring_next_month_end_beyond_30_days_is_not_flagged(member):
    card = SavedCardFactory(account=member, is_default=True, exp_month=4, exp_year=2026)
    SubscriptionFactory(account=member, card=card)
    assert account_flag_codes(account=member) == []


def test_card_expiring_without_a_subscription_is_not_flagged(member):
    SavedCardFactory(account=member, is_default=True, exp_month=3, exp_year=2026)
    assert account_flag_codes(account=member) == []


def test_missing_shipping_city_is_flagged(member):
    member.shipping_city = ""
    member.save()
    assert account_flag_codes(account=member) == ["shipping_incomplete"]


def test_review_exactly_12_months_ago_is_flagged_and_a_day_later_is_not(member):
    with clock.frozen_at(date(2025, 3, 10)):
        member.info_reviewed_at = clock.now()
    member.save()
    assert account_flag_codes(account=member) == ["info_not_reviewed"]
    assert account_flag_codes(account=member, as_of=date(2026, 3, 9)) == []


def test_never_reviewed_account_counts_from_enrollment(member):
    member.info_reviewed_at = None
    member.save()  # enrolled 2024-01-01
    assert account_flag_codes(account=member) == ["info_not_reviewed"]


def test_refresh_stores_then_clears_a_flag(member):
    member.shipping_city = ""
    member.save()
    assert flags_refresh(account=member) == ["shipping_incomplete"]
    member.shipping_city = "Tempe"
    member.save()
    flags_refresh(account=member)
    assert AccountFlag.objects.filter(account=member).count() == 0


def test_refresh_all_is_set_based_and_idempotent(member):
    other = AmbassadorFactory(shipping_street="")  # never reviewed, no shipping address
    member.email_bounced_at = clock.now()
    member.save()
    first = flags_refresh_all()
    second = flags_refresh_all()
    assert first == second
    assert set(AccountFlag.objects.filter(account=other).values_list("code", flat=True)) == {
        "shipping_incomplete",
        "info_not_reviewed",
    }
    assert list(AccountFlag.objects.filter(account=member).values_list("code", flat=True)) == [
        "email_bounced"
    ]


def test_refresh_all_removes_flags_that_no_longer_apply(member):
    AccountFlag.objects.create(account=member, code="email_bounced", raised_at=clock.now())
    flags_refresh_all()
    assert AccountFlag.objects.filter(account=member).count() == 0


def test_single_account_flag_computation_is_one_query(member, django_assert_num_queries):
    # 1: the account row annotated with every flag condition
    with django_assert_num_queries(1):
        account_flag_codes(account=member)


def test_daily_beat_task_is_scheduled(db):
    task = PeriodicTask.objects.get(task="accounts.tasks.refresh_all_flags")
    assert (task.crontab.hour, task.crontab.minute, task.enabled) == ("2", "30", True)
