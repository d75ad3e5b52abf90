"""Staff member lookup: one box for number, name, email or phone."""

from __future__ import annotations

import pytest

from accounts.lookup import member_lookup
from tests.factories import AmbassadorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def members():
    AmbassadorFactory(number=7001, name="Olive Owner", email="Olive.Owner@Example.com", phone="+16025550142")
    AmbassadorFactory(number=7002, name="Oliver Twist", email="twist@example.com", phone="+14805550100")
    AmbassadorFactory(number=7003, name="Uma Upline", email="uma@example.com", phone="")


def numbers(term: str) -> list[int]:
    return [a.number for a in member_lookup(term=term).accounts]


def test_a_whole_number_finds_the_account_number(members):
    assert numbers("7002") == [7002]
    assert numbers("#7003") == [7003]


def test_a_name_matches_any_part_case_insensitively_in_name_order(members):
    assert numbers("oliv") == [7001, 7002]
    assert numbers("UPLINE") == [7003]


def test_an_email_matches_whole_and_case_insensitively(members):
    assert numbers("olive.owner@example.COM") == [7001]
    assert numbers("olive@example.com") == []


def test_an_email_finds_live_and_cancelled_accounts_alike(members):
    # Two partial indexes answer it on PostgreSQL (live with an email / every other account).
    AmbassadorFactory(number=7004, name="Olive Former", email="OLIVE.owner@example.com", status="cancelled")
    assert numbers("olive.owner@example.com") == [7004, 7001]  # name order: "Olive Former" first


@pytest.mark.parametrize("typed", ["(602) 555-0142", "602-555-0142", "+1 602 555 0142", "6025550142"])
def test_a_phone_in_any_common_format_finds_the_member(members, typed):
    assert numbers(typed) == [7001]


def test_a_name_shorter_than_three_letters_asks_for_more(members):
    result = member_lookup(term="ol")

    assert (result.kind, result.accounts) == ("too_short", [])
    assert "at least 3 letters" in result.message


def test_more_matches_than_the_limit_are_cut_and_flagged(members):
    result = member_lookup(term="olive", limit=1)

    assert ([a.number for a in result.accounts], result.more) == ([7001], True)
