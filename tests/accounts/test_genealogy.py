"""Genealogy selectors and sponsor changes: upline, downline membership, downline pages, loops refused."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.genealogy import (
    SponsorLoopError,
    downline_count,
    downline_page,
    is_in_downline,
    upline,
    upline_ids,
)
from accounts.models import SponsorChangeReason, Sponsorship
from accounts.services import sponsor_change
from tests.factories import AmbassadorFactory, UserFactory, VipCustomerFactory, corporate_root

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """root(1) > a > b > c > d, with s beside b under a, and v (customer) under b."""
    a = AmbassadorFactory(number=100, name="Ada Leader")
    b = AmbassadorFactory(number=200, name="Bo Builder", sponsor=a)
    s = AmbassadorFactory(number=150, name="Sam Sibling", sponsor=a)
    c = AmbassadorFactory(number=300, name="Cy Third", sponsor=b)
    v = VipCustomerFactory(number=250, name="Vi Customer", sponsor=b)
    d = AmbassadorFactory(number=400, name="Di Deep", sponsor=c)
    return {"a": a, "b": b, "s": s, "c": c, "v": v, "d": d}


def test_upline_is_nearest_first_up_to_the_root(tree, django_assert_num_queries):
    root = corporate_root()

    # 1: the recursive CTE walking sponsor_id upward
    with django_assert_num_queries(1):
        ids = upline_ids(account_id=tree["d"].pk)

    assert ids == [tree["c"].pk, tree["b"].pk, tree["a"].pk, root.pk]


def test_upline_as_accounts_takes_two_queries(tree, django_assert_num_queries):
    # 1: the recursive CTE for the ids; 2: the accounts by id (in_bulk)
    with django_assert_num_queries(2):
        chain = upline(account=tree["c"])

    assert [acc.number for acc in chain] == [200, 100, 1]


def test_member_four_levels_down_is_in_the_downline(tree, django_assert_num_queries):
    # 1: the recursive CTE walking up from the member until it meets the upline
    with django_assert_num_queries(1):
        assert is_in_downline(member_id=tree["d"].pk, upline_id=tree["a"].pk) is True


def test_an_account_is_not_in_its_own_downline(tree, django_assert_num_queries):
    # no query: the same id is answered without asking the database
    with django_assert_num_queries(0):
        assert is_in_downline(member_id=tree["a"].pk, upline_id=tree["a"].pk) is False


def test_a_sibling_is_not_in_the_downline(tree):
    assert is_in_downline(member_id=tree["s"].pk, upline_id=tree["b"].pk) is False


def test_an_upline_is_not_in_its_members_downline(tree):
    assert is_in_downline(member_id=tree["a"].pk, upline_id=tree["d"].pk) is False


def test_downline_page_orders_by_depth_then_number(tree, django_assert_num_queries):
    # 1: the recursive CTE with the rows' fields and sponsor numbers, one page
    with django_assert_num_queries(1):
        rows = downline_page(account_id=tree["a"].pk)

    assert [(r.number, r.depth, r.sponsor_number) for r in rows] == [
        (150, 1, 100),
        (200, 1, 100),
        (250, 2, 200),
        (300, 2, 200),
        (400, 3, 300),
    ]
    assert rows[2].kind == "vip_customer"
    assert rows[2].name == "Vi Customer"


def test_downline_page_paginates(tree):
    rows = downline_page(account_id=tree["a"].pk, limit=2, offset=2)

    assert [r.number for r in rows] == [250, 300]


def test_downline_page_limits_the_depth(tree):
    rows = downline_page(account_id=tree["a"].pk, max_depth=1)

    assert [r.number for r in rows] == [150, 200]


def test_downline_page_searches_names_case_insensitively(tree):
    rows = downline_page(account_id=tree["a"].pk, search="  di DEEP ")

    assert [(r.number, r.depth) for r in rows] == [(400, 3)]


def test_downline_page_searches_by_account_number(tree):
    rows = downline_page(account_id=tree["a"].pk, search="300")

    assert [r.number for r in rows] == [300]


def test_downline_search_never_reaches_outside_the_downline(tree):
    assert downline_page(account_id=tree["b"].pk, search="Sam") == []


def test_downline_count_counts_every_depth(tree, django_assert_num_queries):
    # 1: the recursive CTE counted
    with django_assert_num_queries(1):
        assert downline_count(account_id=tree["a"].pk) == 5


def test_sponsor_change_moves_the_subtree_and_keeps_history(tree):
    actor = UserFactory()

    sponsor_change(
        account=tree["c"],
        new_sponsor=tree["s"],
        reason=SponsorChangeReason.CORRECTION,
        actor=actor,
        on=date(2026, 3, 10),
    )

    assert is_in_downline(member_id=tree["d"].pk, upline_id=tree["s"].pk) is True
    assert is_in_downline(member_id=tree["d"].pk, upline_id=tree["b"].pk) is False
    periods = list(
        Sponsorship.objects.filter(account=tree["c"])
        .order_by("id")
        .values_list("sponsor__number", "valid_to", "end_reason", "reason", "created_by")
    )
    assert periods == [
        (200, date(2026, 3, 10), "correction", "enrollment", None),
        (150, None, "", "correction", actor.pk),
    ]


def test_sponsor_change_is_a_fixed_number_of_queries(tree, django_assert_num_queries):
    # savepoint; lock the account (SELECT ... FOR UPDATE); loop check (recursive CTE); close the open
    # period (UPDATE); open the new period (INSERT); move the account (UPDATE); rewrite the moved
    # subtree's paths (one UPDATE, whatever its size); reload it; load its new sponsor for the
    # caller's instance; release savepoint.
    with django_assert_num_queries(10):
        sponsor_change(
            account=tree["d"],
            new_sponsor=tree["a"],
            reason=SponsorChangeReason.CORRECTION,
            actor=None,
            on=date(2026, 3, 10),
        )


def test_moving_an_account_under_its_own_downline_is_refused_and_changes_nothing(tree):
    before = list(Sponsorship.objects.order_by("id").values_list("id", "sponsor_id", "valid_to"))

    with pytest.raises(SponsorLoopError, match="account 100: sponsor 400 is the account or in its downline"):
        sponsor_change(
            account=tree["a"],
            new_sponsor=tree["d"],
            reason=SponsorChangeReason.CORRECTION,
            actor=None,
            on=date(2026, 3, 10),
        )

    tree["a"].refresh_from_db()
    assert tree["a"].sponsor_id == corporate_root().pk
    assert list(Sponsorship.objects.order_by("id").values_list("id", "sponsor_id", "valid_to")) == before


def test_an_account_cannot_become_its_own_sponsor(tree):
    before = Sponsorship.objects.count()

    with pytest.raises(SponsorLoopError):
        sponsor_change(
            account=tree["b"], new_sponsor=tree["b"], reason=SponsorChangeReason.CORRECTION, actor=None
        )

    tree["b"].refresh_from_db()
    assert tree["b"].sponsor_id == tree["a"].pk
    assert Sponsorship.objects.count() == before
