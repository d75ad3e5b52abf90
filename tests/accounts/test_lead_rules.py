"""The five Leads-program rules: each fails alone and reports the fact that decided it."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.models import Rank
from accounts.selectors import lead_sponsor_verdict, qualified_lead_sponsors
from tests.factories import (
    AmbassadorFactory,
    PaidRankFactory,
    SubscriptionFactory,
    VipCustomerFactory,
)

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 3, 10)
SIX_MONTHS_AGO = date(2025, 9, 10)  # the first day that still counts as "within the past 6 months"


def make_leader(
    *,
    title_rank=Rank.SENIOR_RUBY,
    paid=(Rank.SENIOR_GOLD, Rank.SENIOR_GOLD),
    pv=100,
    vip_enrolled_on=SIX_MONTHS_AGO,
    vip_personal=True,
    amb_enrolled_on=SIX_MONTHS_AGO,
    amb_subscription="active",
):
    leader = AmbassadorFactory(title_rank=title_rank)
    PaidRankFactory(account=leader, month=date(2026, 1, 1), rank=paid[0])
    PaidRankFactory(account=leader, month=date(2026, 2, 1), rank=paid[1])
    SubscriptionFactory(account=leader, pv=pv)
    vip = VipCustomerFactory(sponsor=leader, enrolled_on=vip_enrolled_on, personally_enrolled=vip_personal)
    SubscriptionFactory(account=vip, pv=20)
    ambassador = AmbassadorFactory(sponsor=leader, enrolled_on=amb_enrolled_on)
    SubscriptionFactory(account=ambassador, pv=40, status=amb_subscription)
    return leader, vip, ambassador


def failing(verdict):
    return [name for name, ok in verdict.rules.items() if not ok]


def test_leader_meeting_all_five_rules_qualifies_with_the_facts():
    leader, vip, ambassador = make_leader()

    verdict = lead_sponsor_verdict(account=leader, as_of=AS_OF)

    assert verdict.qualified is True
    assert verdict.facts == {
        "title_rank": "Senior Ruby",
        "paid_ranks": {"2026-01": "Senior Gold", "2026-02": "Senior Gold"},
        "subscription_pv": 100,
        "new_vip_customer": vip.number,
        "new_ambassador": ambassador.number,
        "recruits_enrolled_since": "2025-09-10",
    }


def test_title_rank_below_senior_ruby_fails_only_that_rule():
    leader, _, _ = make_leader(title_rank=Rank.RUBY)

    verdict = lead_sponsor_verdict(account=leader, as_of=AS_OF)

    assert failing(verdict) == ["title_rank"]
    assert verdict.facts["title_rank"] == "Ruby"


def test_paid_rank_below_senior_gold_in_one_of_the_two_months_fails_only_that_rule():
    leader, _, _ = make_leader(paid=(Rank.SENIOR_GOLD, Rank.GOLD))

    verdict = lead_sponsor_verdict(account=leader, as_of=AS_OF)

    assert failing(verdict) == ["paid_rank"]
    assert verdict.facts["paid_ranks"] == {"2026-01": "Senior Gold", "2026-02": "Gold"}


def test_paid_rank_of_the_current_month_does_not_count():
    leader, _, _ = make_leader()
    PaidRankFactory(account=leader, month=date(2026, 3, 1), rank=Rank.BRAND_AMBASSADOR)
    PaidRankFactory(account=leader, month=date(2025, 12, 1), rank=Rank.BRAND_AMBASSADOR)

    assert lead_sponsor_verdict(account=leader, as_of=AS_OF).qualified is True


def test_subscription_of_99_pv_fails_only_that_rule():
    leader, _, _ = make_leader(pv=99)

    verdict = lead_sponsor_verdict(account=leader, as_of=AS_OF)

    assert failing(verdict) == ["subscription_pv"]
    assert verdict.facts["subscription_pv"] == 99


def test_vip_customer_enrolled_a_day_before_the_6_month_window_fails_only_that_rule():
    leader, _, _ = make_leader(vip_enrolled_on=date(2025, 9, 9))

    verdict = lead_sponsor_verdict(account=leader, as_of=AS_OF)

    assert failing(verdict) == ["new_vip_customer"]
    assert verdict.facts["new_vip_customer"] is None


def test_placed_vip_customer_is_not_personally_sponsored():
    leader, _, _ = make_leader(vip_personal=False)

    assert failing(lead_sponsor_verdict(account=leader, as_of=AS_OF)) == ["new_vip_customer"]


def test_new_ambassador_with_a_paused_subscription_fails_only_that_rule():
    leader, _, _ = make_leader(amb_subscription="paused")

    verdict = lead_sponsor_verdict(account=leader, as_of=AS_OF)

    assert failing(verdict) == ["new_ambassador"]
    assert verdict.facts["new_ambassador"] is None


def test_customer_never_qualifies_and_every_rule_is_false():
    customer = VipCustomerFactory()

    verdict = lead_sponsor_verdict(account=customer, as_of=AS_OF)

    assert verdict.qualified is False
    assert set(failing(verdict)) == {
        "title_rank",
        "paid_rank",
        "subscription_pv",
        "new_vip_customer",
        "new_ambassador",
    }


def test_qualified_lead_sponsors_lists_only_leaders_meeting_all_rules(django_assert_num_queries):
    good, _, _ = make_leader()
    make_leader(pv=99)

    # 1: every ambassador with the five rules' facts as subqueries, filtered
    with django_assert_num_queries(1):
        numbers = list(qualified_lead_sponsors(as_of=AS_OF).values_list("number", flat=True))

    assert numbers == [good.number]


def test_one_verdict_is_one_query(django_assert_num_queries):
    leader, _, _ = make_leader()

    # 1: the leader's row of the set-based qualification query
    with django_assert_num_queries(1):
        lead_sponsor_verdict(account=leader, as_of=AS_OF)
