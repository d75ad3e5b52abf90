"""Lead placement: fairness, half-month limit, same country first, due boundary, idempotence, records."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.models import Account, AccountKind, SponsorChangeReason, Sponsorship, Subscription
from leads.models import LeadBatch, LeadPlacement, LeadRun
from leads.services import leads_assign
from tests.factories import AmbassadorFactory, SubscriptionFactory
from tests.leads.builders import AS_OF, lead, qualified_sponsor, sponsor_number_of

pytestmark = pytest.mark.django_db


def placed(result) -> list[tuple[int, int]]:
    return [(p.lead_number, p.sponsor_number) for p in result.placements]


def unplaced(result) -> dict[int, str]:
    return dict(result.unplaced)


def test_longest_waiting_sponsor_gets_the_first_lead_and_never_served_counts_as_longest():
    qualified_sponsor(1001, last_lead_batch_on=date(2026, 2, 20))
    qualified_sponsor(1002, last_lead_batch_on=None)
    qualified_sponsor(1003, last_lead_batch_on=date(2026, 1, 5))
    lead(5001, listed=date(2026, 2, 1))

    result = leads_assign(as_of=AS_OF, actor=None)

    assert placed(result) == [(5001, 1002)]


def test_leads_go_round_robin_in_wait_order_oldest_listing_first():
    qualified_sponsor(1001, last_lead_batch_on=date(2026, 2, 20))
    qualified_sponsor(1002, last_lead_batch_on=None)
    qualified_sponsor(1003, last_lead_batch_on=date(2026, 1, 5))
    for number, listed in [
        (5004, date(2026, 2, 4)),
        (5001, date(2026, 2, 1)),
        (5002, date(2026, 2, 2)),
        (5003, date(2026, 2, 3)),
    ]:
        lead(number, listed=listed)

    result = leads_assign(as_of=AS_OF, actor=None)

    assert sorted(placed(result)) == [(5001, 1002), (5002, 1003), (5003, 1001), (5004, 1002)]
    assert LeadBatch.objects.filter(sponsor__number=1002).get().lead_count == 2


def test_equal_waits_are_broken_by_account_number():
    qualified_sponsor(1009, last_lead_batch_on=date(2026, 2, 1))
    qualified_sponsor(1004, last_lead_batch_on=date(2026, 2, 1))
    lead(5001, listed=date(2026, 2, 1))

    result = leads_assign(as_of=AS_OF, actor=None)

    assert placed(result) == [(5001, 1004)]


def test_sponsor_served_in_days_1_to_15_gets_nothing_more_until_the_16th():
    qualified_sponsor(1001, last_lead_batch_on=date(2026, 3, 1))
    lead(5001, listed=date(2026, 2, 1))

    on_15th = leads_assign(as_of=date(2026, 3, 15), actor=None)

    assert placed(on_15th) == []
    assert unplaced(on_15th) == {5001: "no_open_sponsor"}
    assert sponsor_number_of(5001) == 2

    on_16th = leads_assign(as_of=date(2026, 3, 16), actor=None)

    assert placed(on_16th) == [(5001, 1001)]


def test_second_run_in_the_same_half_month_gives_a_sponsor_no_second_batch():
    qualified_sponsor(1001)
    lead(5001, listed=date(2026, 2, 1))
    lead(5002, listed=date(2026, 2, 28))  # due on 2026-03-14

    first = leads_assign(as_of=date(2026, 3, 10), actor=None)
    second = leads_assign(as_of=date(2026, 3, 14), actor=None)
    third = leads_assign(as_of=date(2026, 3, 16), actor=None)

    assert placed(first) == [(5001, 1001)]
    assert placed(second) == []
    assert unplaced(second) == {5002: "no_open_sponsor"}
    assert placed(third) == [(5002, 1001)]
    assert list(
        LeadBatch.objects.order_by("half_month_start").values_list("half_month_start", flat=True)
    ) == [date(2026, 3, 1), date(2026, 3, 16)]


def test_a_lead_goes_to_an_open_sponsor_of_its_own_country_first():
    qualified_sponsor(1001, country="US")  # waited longest (never)
    qualified_sponsor(1002, country="CA", last_lead_batch_on=date(2026, 2, 1))
    lead(5001, listed=date(2026, 2, 1), country="CA")

    result = leads_assign(as_of=AS_OF, actor=None)

    assert placed(result) == [(5001, 1002)]
    assert result.placements[0].same_country is True


def test_a_lead_with_no_open_sponsor_in_its_country_goes_to_the_longest_waiting_open_sponsor():
    qualified_sponsor(1001, country="US", last_lead_batch_on=date(2026, 2, 1))
    qualified_sponsor(1002, country="CA", last_lead_batch_on=date(2026, 1, 1))
    qualified_sponsor(1003, country="MX", last_lead_batch_on=date(2026, 3, 2))  # closed this half-month
    lead(5001, listed=date(2026, 2, 1), country="MX")

    result = leads_assign(as_of=AS_OF, actor=None)

    assert placed(result) == [(5001, 1002)]
    assert LeadPlacement.objects.get().same_country is False


def test_a_lead_is_due_on_the_14th_day_after_listing_not_before():
    qualified_sponsor(1001)
    lead(5001, listed=date(2026, 2, 24))

    day_13 = leads_assign(as_of=date(2026, 3, 9), actor=None)

    assert unplaced(day_13) == {5001: "not_due"}
    assert sponsor_number_of(5001) == 2

    day_14 = leads_assign(as_of=date(2026, 3, 10), actor=None)

    assert placed(day_14) == [(5001, 1001)]


def test_dry_run_reports_the_plan_and_changes_nothing():
    qualified_sponsor(1001)
    lead(5001, listed=date(2026, 2, 1))
    history_before = list(Sponsorship.objects.order_by("id").values_list("id", "valid_to"))

    result = leads_assign(as_of=AS_OF, actor=None, dry_run=True)

    assert placed(result) == [(5001, 1001)]
    assert sponsor_number_of(5001) == 2
    assert Account.objects.get(number=1001).last_lead_batch_on is None
    assert list(Sponsorship.objects.order_by("id").values_list("id", "valid_to")) == history_before
    assert LeadPlacement.objects.count() == 0
    assert LeadBatch.objects.count() == 0
    run = LeadRun.objects.get()
    assert (run.dry_run, run.placed_count, run.finished_at is not None) == (True, 1, True)


def test_running_again_for_the_same_date_places_nobody_twice():
    qualified_sponsor(1001)
    qualified_sponsor(1002)
    lead(5001, listed=date(2026, 2, 1))
    lead(5002, listed=date(2026, 2, 2))

    first = leads_assign(as_of=AS_OF, actor=None)
    again = leads_assign(as_of=AS_OF, actor=None)

    assert sorted(placed(first)) == [(5001, 1001), (5002, 1002)]
    assert placed(again) == []
    assert LeadPlacement.objects.count() == 2
    assert Sponsorship.objects.filter(account__number=5001).count() == 2


def test_placement_moves_the_lead_with_history_and_stamps_the_sponsor():
    qualified_sponsor(1001)
    lead(5001, listed=date(2026, 2, 1))

    leads_assign(as_of=AS_OF, actor=None)

    account = Account.objects.get(number=5001)
    assert (account.sponsor.number, account.personally_enrolled, account.listed_under_2_on) == (
        1001,
        False,
        None,
    )
    periods = list(
        Sponsorship.objects.filter(account=account)
        .order_by("valid_from", "id")
        .values_list("sponsor__number", "valid_from", "valid_to", "reason", "end_reason", "personal")
    )
    assert periods == [
        (
            2,
            date(2026, 2, 1),
            AS_OF,
            SponsorChangeReason.ENROLLMENT,
            SponsorChangeReason.LEAD_PLACEMENT,
            True,
        ),
        (1001, AS_OF, None, SponsorChangeReason.LEAD_PLACEMENT, "", False),
    ]
    assert Account.objects.get(number=1001).last_lead_batch_on == AS_OF


def test_placement_keeps_the_snapshot_of_the_facts_that_held():
    sponsor = qualified_sponsor(1001)
    lead(5001, listed=date(2026, 2, 1))

    leads_assign(as_of=AS_OF, actor=None)
    Subscription.objects.filter(account=sponsor).update(pv=10)  # later changes never rewrite history

    record = LeadPlacement.objects.get()
    assert (record.lead.number, record.sponsor.number, record.as_of, record.listed_under_2_on) == (
        5001,
        1001,
        AS_OF,
        date(2026, 2, 1),
    )
    assert record.snapshot == {
        "as_of": "2026-03-10",
        "qualified": True,
        "rules": {
            "title_rank": True,
            "paid_rank": True,
            "subscription_pv": True,
            "new_vip_customer": True,
            "new_ambassador": True,
        },
        "facts": {
            "title_rank": "Senior Ruby",
            "paid_ranks": {"2026-01": "Senior Gold", "2026-02": "Senior Gold"},
            "subscription_pv": 120,
            "new_vip_customer": 10011,
            "new_ambassador": 10012,
            "recruits_enrolled_since": "2025-09-10",
        },
        "last_lead_batch_on": None,
    }


def test_without_any_qualified_sponsor_due_leads_are_reported_and_stay_under_2():
    AmbassadorFactory(number=1001)
    lead(5001, listed=date(2026, 2, 1))

    result = leads_assign(as_of=AS_OF, actor=None)

    assert unplaced(result) == {5001: "no_qualified_sponsor"}
    assert sponsor_number_of(5001) == 2


def test_cancelled_accounts_and_retail_customers_under_2_are_not_placed():
    qualified_sponsor(1001)
    gone = lead(5001, listed=date(2026, 2, 1))
    Account.objects.filter(pk=gone.pk).update(status="cancelled")
    lead(5002, listed=date(2026, 2, 1), kind=AccountKind.RETAIL_CUSTOMER)

    result = leads_assign(as_of=AS_OF, actor=None)

    assert placed(result) == []
    assert unplaced(result) == {5001: "cancelled", 5002: "not_a_lead"}


def test_a_sponsor_below_the_lead_is_never_given_that_lead():
    qualified_sponsor(1001, last_lead_batch_on=date(2026, 2, 1))
    top = lead(5001, listed=date(2026, 2, 1), kind=AccountKind.AMBASSADOR)
    below = qualified_sponsor(1002)  # waited longest, but sits in 5001's downline
    Account.objects.filter(pk=below.pk).update(sponsor=top)
    SubscriptionFactory(account=top, pv=100)

    result = leads_assign(as_of=AS_OF, actor=None)

    assert placed(result) == [(5001, 1001)]
