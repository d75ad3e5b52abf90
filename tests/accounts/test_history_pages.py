"""A page of the organization as of a past day, walked depth-first until the page is full: the same
rows, in tree order, as the whole walk of that day."""

from __future__ import annotations

import random
from datetime import date

import pytest

from accounts.history import downline_on, downline_page_on
from accounts.models import SponsorChangeReason
from accounts.services import sponsor_change
from tests.factories import AmbassadorFactory

pytestmark = pytest.mark.django_db


def tree_order(members):
    place = {}
    for m in sorted(members, key=lambda m: m.level):
        place[m.number] = place.get(m.sponsor_number, ()) + (m.number,)
    return sorted(members, key=lambda m: place[m.number]), place


def test_pages_of_a_past_day_follow_each_other_in_tree_order():
    rng = random.Random(8)
    top = AmbassadorFactory(number=500, enrolled_on=date(2020, 1, 1))
    members = [top]
    for n in range(40):
        members.append(
            AmbassadorFactory(number=600 + n, sponsor=rng.choice(members), enrolled_on=date(2021, 1, 1))
        )
    for n in range(10):
        account, target = rng.sample(members[1:], 2)
        try:
            sponsor_change(account=account, new_sponsor=target, reason=SponsorChangeReason.CORRECTION,
                           actor=None, on=date(2022, 1, 1 + n))  # fmt: skip
        except ValueError:
            continue
    day = date(2022, 1, 5)
    expected, place = tree_order(downline_on(account=top, day=day))
    walked, after = [], None
    while True:
        page = downline_page_on(account=top, day=day, after=after, limit=7)
        if not page:
            break
        walked += page
        after = list(place[page[-1].number])
    assert [(m.number, m.level, m.sponsor_number) for m in walked] == [
        (m.number, m.level, m.sponsor_number) for m in expected
    ]


def test_a_page_costs_about_one_query_per_member_shown(django_assert_max_num_queries):
    top = AmbassadorFactory(number=500, enrolled_on=date(2020, 1, 1))
    for n in range(30):
        AmbassadorFactory(number=600 + n, sponsor=top, enrolled_on=date(2021, 1, 1))
    # one query per member shown (to find its own children) plus the first level's
    with django_assert_max_num_queries(11):
        page = downline_page_on(account=top, day=date(2022, 1, 1), limit=10)
    assert [m.number for m in page] == list(range(600, 610))
