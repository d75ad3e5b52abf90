"""The materialized path (accounts/paths.py) always equals what the sponsor links give (the recursive
CTE's answer), after every kind of write, and the path selectors answer like the CTE ones."""

from __future__ import annotations

import random
from datetime import date

import pytest

from accounts import genealogy, genealogy_cte, paths
from accounts.models import Account, SponsorChangeReason
from accounts.paths import paths_mismatched, paths_rebuild, segment
from accounts.services import account_enroll, sponsor_change, sponsor_change_many
from tests.factories import AmbassadorFactory, VipCustomerFactory, corporate_root, corporate_sponsor

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 10)


@pytest.fixture
def tree():
    """root(1) > a > b > c > d, s beside b under a, v (customer) under b; lead l under "2"."""
    a = AmbassadorFactory(number=100)
    b = AmbassadorFactory(number=200, sponsor=a)
    s = AmbassadorFactory(number=150, sponsor=a)
    c = AmbassadorFactory(number=300, sponsor=b)
    v = VipCustomerFactory(number=250, sponsor=b)
    d = AmbassadorFactory(number=400, sponsor=c)
    lead = VipCustomerFactory(number=500, sponsor=corporate_sponsor(), personally_enrolled=False)
    return {"a": a, "b": b, "s": s, "c": c, "v": v, "d": d, "l": lead}


def path_of(account: Account) -> tuple[str, int]:
    return Account.objects.values_list("path", "depth").get(pk=account.pk)


def test_segments_sort_like_the_numbers_and_none_is_a_prefix_of_another():
    numbers = [1, 2, 15, 16, 255, 256, 100_000, 1_100_000, 2**40, 2**62]
    segments = [segment(n) for n in numbers]
    assert (sorted(segments) == segments, segment(1), segment(1_000_000)) == (True, "11", "5f4240")


def test_a_new_account_gets_its_sponsors_path_and_its_own_segment(tree):
    assert path_of(tree["d"]) == ("11" + "264" + "2c8" + "312c" + "3190", 4)


def test_a_stale_copy_saved_after_a_move_above_it_keeps_the_new_path(tree):
    stale = Account.objects.get(pk=tree["d"].pk)
    sponsor_change(
        account=tree["b"], new_sponsor=tree["s"], reason=SponsorChangeReason.CORRECTION, actor=None, on=DAY
    )
    stale.name = "Renamed"
    stale.save()
    assert (path_of(tree["d"]), paths_mismatched()) == (
        ("11" + "264" + "296" + "2c8" + "312c" + "3190", 5),
        [],
    )


def test_single_move_with_a_subtree_rewrites_the_subtree(tree):
    sponsor_change(
        account=tree["c"], new_sponsor=tree["s"], reason=SponsorChangeReason.CORRECTION, actor=None, on=DAY
    )
    assert (paths_mismatched(), path_of(tree["d"])) == ([], ("11" + "264" + "296" + "312c" + "3190", 4))


def test_removing_a_member_from_the_genealogy_makes_its_subtree_a_root(tree):
    sponsor_change(
        account=tree["b"], new_sponsor=None, reason=SponsorChangeReason.CLEARING, actor=None, on=DAY
    )
    assert (paths_mismatched(), path_of(tree["c"])) == ([], ("2c8" + "312c", 1))


def test_lead_placements_many_at_once_keep_the_paths(tree):
    sponsor_change_many(
        moves=[(tree["l"].pk, tree["c"].pk), (tree["v"].pk, tree["s"].pk)],
        reason=SponsorChangeReason.LEAD_PLACEMENT,
        actor=None,
        on=DAY,
    )
    assert (paths_mismatched(), path_of(tree["l"])[1]) == ([], 4)


def test_roll_up_of_a_subtree_keeps_the_paths(tree):
    # The clearing roll-up: b's direct downline (c with d below, v) goes to b's sponsor a.
    sponsor_change_many(
        moves=[(tree["c"].pk, tree["a"].pk), (tree["v"].pk, tree["a"].pk)],
        reason=SponsorChangeReason.CLEARING_ROLL_UP,
        actor=None,
        on=DAY,
    )
    assert (paths_mismatched(), path_of(tree["d"])[1]) == ([], 3)


def test_roll_up_of_many_subtrees_in_several_statements_keeps_the_paths(tree, monkeypatch):
    # b's two children with a downline of their own (c with d below, v with w below) rewritten one
    # statement each: the ranges travel as literals, a chunk at a time.
    monkeypatch.setattr(paths, "RANGES_PER_STATEMENT", 1)
    w = AmbassadorFactory(number=600, sponsor=tree["v"])
    sponsor_change_many(
        moves=[(tree["c"].pk, tree["a"].pk), (tree["v"].pk, tree["a"].pk)],
        reason=SponsorChangeReason.CLEARING_ROLL_UP,
        actor=None,
        on=DAY,
    )
    assert (paths_mismatched(), path_of(tree["d"])[1], path_of(w)[1]) == ([], 3, 3)


def test_moves_whose_new_sponsor_moves_too_are_applied_in_order(tree):
    sponsor_change_many(
        moves=[(tree["c"].pk, tree["s"].pk), (tree["l"].pk, tree["d"].pk), (tree["s"].pk, tree["v"].pk)],
        reason=SponsorChangeReason.CORRECTION,
        actor=None,
        on=DAY,
    )
    assert (paths_mismatched(), path_of(tree["l"])[1]) == ([], 7)  # root>a>b>v>s>c>d>l


def test_enrollment_gets_the_sponsors_path(tree):
    new = account_enroll(
        kind="ambassador",
        sponsor=tree["d"],
        name="New One",
        email="new@example.com",
        country="US",
        actor=None,
    )
    assert (paths_mismatched(), path_of(new)[1]) == ([], 5)


def test_rebuild_repairs_paths_written_around_the_services(tree):
    Account.objects.filter(pk=tree["c"].pk).update(sponsor=tree["s"])
    broken = len(paths_mismatched())
    paths_rebuild()
    assert (broken, paths_mismatched()) == (2, [])


def test_random_tree_and_random_moves_agree_with_the_cte():
    rng = random.Random(19)
    members = [corporate_root()]
    for n in range(60):
        members.append(AmbassadorFactory(number=1000 + n, sponsor=rng.choice(members)))
    for _ in range(25):
        account, target = rng.sample(members[1:], 2)
        if not genealogy.would_create_loop(account_id=account.pk, new_sponsor_id=target.pk):
            sponsor_change(
                account=account, new_sponsor=target, reason=SponsorChangeReason.CORRECTION, actor=None, on=DAY
            )
    assert paths_mismatched() == []
    for top in members[:20]:
        assert genealogy.downline_count(account_id=top.pk) == genealogy_cte.downline_count(account_id=top.pk)
        assert genealogy.downline_page(account_id=top.pk, limit=500) == genealogy_cte.downline_page(
            account_id=top.pk, limit=500
        )
        for other in members[20:30]:
            assert genealogy.is_in_downline(
                member_id=other.pk, upline_id=top.pk
            ) == genealogy_cte.is_in_downline(member_id=other.pk, upline_id=top.pk)
