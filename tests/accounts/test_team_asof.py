"""My team as of a past day: report pages by keys (next after the last row, previous before the first)
in the history walk's tree order, and tree levels with how many sat directly below each member."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.models import Account, SponsorChangeReason
from accounts.services import sponsor_change
from accounts.team.asof import BadKey, key_of, page_on, parse_key
from accounts.team.selectors import ReportFilters, children_on, report_rows
from plexus_office import clock
from tests.factories import TODAY, AmbassadorFactory, UserFactory, VipCustomerFactory

pytestmark = pytest.mark.django_db

PAST = date(2024, 9, 1)
TREE_ORDER = [2001, 3001, 3002, 5001, 2002, 3003, 4001]


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(TODAY):
        yield


@pytest.fixture
def ann():
    """On PAST: Ann > Ben (Cora, Dan > Gus), Fay > Hal, Eve (a lead placed with Ann on 2024-08-01).
    Later (2025-01-01) Hal moves under Ben."""
    ann = AmbassadorFactory(number=1001, name="Ann Leader", user=UserFactory(username="ann"),
                            enrolled_on=date(2020, 1, 1))  # fmt: skip
    ben = AmbassadorFactory(number=2001, name="Ben Builder", sponsor=ann, enrolled_on=date(2024, 1, 1))
    fay = AmbassadorFactory(number=2002, name="Fay Founder", sponsor=ann, enrolled_on=date(2024, 1, 2))
    VipCustomerFactory(number=3001, name="Cora Customer", sponsor=ben, enrolled_on=date(2024, 6, 1))
    dan = AmbassadorFactory(number=3002, name="Dan Donor", sponsor=ben, enrolled_on=date(2024, 6, 1))
    hal = VipCustomerFactory(number=3003, name="Hal Helper", sponsor=fay, enrolled_on=date(2024, 6, 2))
    VipCustomerFactory(number=5001, name="Gus Guest", sponsor=dan, enrolled_on=date(2024, 6, 3))
    eve = VipCustomerFactory(number=4001, name="Eve Lead", sponsor=Account.objects.get(number=2),
                             enrolled_on=date(2024, 7, 1))  # fmt: skip
    sponsor_change(account=eve, new_sponsor=ann, reason=SponsorChangeReason.LEAD_PLACEMENT, actor=None,
                   on=date(2024, 8, 1))  # fmt: skip
    sponsor_change(account=hal, new_sponsor=ben, reason=SponsorChangeReason.CORRECTION, actor=None,
                   on=date(2025, 1, 1))  # fmt: skip
    return ann


def _numbers(page) -> list[int]:
    return [member.number for member, _path in page.rows]


def test_the_walk_orders_the_past_day_as_the_pages_do(ann):
    walked = report_rows(root=ann, day=PAST, filters=ReportFilters())
    assert [row.member.number for row in walked] == TREE_ORDER


def test_next_pages_follow_the_tree_order_with_levels_and_paths(ann):
    first = page_on(root=ann, day=PAST, limit=3)
    second = page_on(root=ann, day=PAST, after=parse_key(first.next_key), limit=3)
    third = page_on(root=ann, day=PAST, after=parse_key(second.next_key), limit=3)

    assert (_numbers(first), _numbers(second), _numbers(third)) == (
        [2001, 3001, 3002],
        [5001, 2002, 3003],
        [4001],
    )
    assert (first.has_previous, first.next_key, second.next_key, third.has_next) == (
        False,
        "2001-3002",
        "2002-3003",
        False,
    )
    assert [(m.level, path) for m, path in second.rows] == [
        (3, (2001, 3002, 5001)),
        (1, (2002,)),
        (2, (2002, 3003)),
    ]


def test_previous_pages_are_the_same_pages_backwards(ann):
    last = page_on(root=ann, day=PAST, after=(2002, 3003), limit=3)
    middle = page_on(root=ann, day=PAST, before=parse_key(last.previous_key), limit=3)
    first = page_on(root=ann, day=PAST, before=parse_key(middle.previous_key), limit=3)

    assert (_numbers(last), _numbers(middle), _numbers(first)) == (
        [4001],
        [5001, 2002, 3003],
        [2001, 3001, 3002],
    )
    assert (middle.has_previous, middle.has_next, first.has_previous) == (True, True, False)
    assert [m.level for m, _path in middle.rows] == [3, 1, 2]


def test_previous_near_the_top_gives_the_full_first_page(ann):
    page = page_on(root=ann, day=PAST, before=(2001, 3002), limit=3)
    assert (_numbers(page), page.has_previous) == ([2001, 3001, 3002], False)


def test_a_page_today_follows_the_moves_since(ann):
    page = page_on(root=ann, day=TODAY, limit=10)
    assert _numbers(page) == [2001, 3001, 3002, 5001, 3003, 2002, 4001]


def test_a_key_that_was_not_a_place_on_that_day_is_refused(ann):
    with pytest.raises(BadKey):
        page_on(root=ann, day=PAST, after=(2001, 3003))  # Hal was under Fay then


def test_a_key_must_be_numbers_joined_by_dashes():
    assert (parse_key(""), parse_key("2001-3002"), key_of((2001, 3002))) == (None, (2001, 3002), "2001-3002")
    with pytest.raises(BadKey):
        parse_key("2001;3002")


def test_a_tree_level_of_a_past_day_counts_who_was_directly_below(ann, django_assert_num_queries):
    # 1: the children by their period with, per child, its last order and fee paid by then, its
    # subscription and how many sat directly below it
    with django_assert_num_queries(1):
        nodes = children_on(parent=ann, day=PAST)
    assert [(n.number, n.downline_size, n.size_direct) for n in nodes] == [
        (2001, 2, True),
        (2002, 1, True),
        (4001, 0, True),
    ]


def test_the_report_of_a_past_day_pages_by_keys_without_totals(client, ann):
    client.force_login(ann.user)
    body = client.get("/team/report/", {"as_of": PAST.isoformat()}).content.decode()
    assert ('data-testid="keyset-pager"' in body, 'data-testid="totals"' in body, "Page 1 of" in body) == (
        True,
        False,
        False,
    )
    assert all(f'data-testid="row-{n}"' in body for n in TREE_ORDER)


def test_the_report_of_a_past_day_follows_its_next_link(client, ann, monkeypatch):
    monkeypatch.setattr("accounts.team.selectors.PAGE_SIZE", 3)
    client.force_login(ann.user)
    first = client.get("/team/report/", {"as_of": PAST.isoformat()}).content.decode()
    second = client.get("/team/report/", {"as_of": PAST.isoformat(), "after": "2001-3002"}).content.decode()
    assert (
        "after=2001-3002" in first,
        'data-testid="row-5001"' in second,
        "before=2001-3002-5001" in second,
    ) == (
        True,
        True,
        True,
    )


def test_a_bad_page_key_is_named_and_shows_the_first_page(client, ann):
    client.force_login(ann.user)
    response = client.get("/team/report/", {"as_of": PAST.isoformat(), "after": "2001-3003"})
    body = response.content.decode()
    assert (
        response.status_code,
        "not in this organization on that day" in body,
        'data-testid="row-2001"' in body,
    ) == (
        400,
        True,
        True,
    )


def test_the_api_pages_a_past_day_by_keys(client, ann, monkeypatch):
    monkeypatch.setattr("accounts.team.selectors.PAGE_SIZE", 3)
    client.force_login(ann.user)
    first = client.get("/api/v1/team/report/", {"as_of": PAST.isoformat()}).json()
    second = client.get("/api/v1/team/report/", {"as_of": PAST.isoformat(), "after": first["next"]}).json()
    assert ([r["number"] for r in first["results"]], first["next"], first["previous"], first["count"]) == (
        [2001, 3001, 3002],
        "2001-3002",
        None,
        None,
    )
    assert ([r["number"] for r in second["results"]], second["previous"]) == (
        [5001, 2002, 3003],
        "2001-3002-5001",
    )


def test_the_api_refuses_a_page_key_of_another_day(client, ann):
    client.force_login(ann.user)
    response = client.get("/api/v1/team/report/", {"as_of": PAST.isoformat(), "after": "2001-3003"})
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "That place was not in this organization on that day."},
    )
