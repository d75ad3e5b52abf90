"""Time travel (scenarios.md, business-rules §8): account_status, downline, assign_leads and
request_clear answer as things stood at the end of the --as-of day, from the sponsor history."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.history import downline_on, is_in_downline_on, status_on
from accounts.models import Account, SponsorChangeReason
from accounts.services import sponsor_change, sponsor_change_many
from operations.scenario import ScenarioError, load, validate

pytestmark = pytest.mark.django_db

SCENARIO: dict[str, Any] = {
    "as_of": "2026-03-01",
    "accounts": [
        {"number": 1001, "kind": "ambassador", "sponsor": 1, "enrolled_on": "2020-02-01",
         "name": "Ann Leader", "email": "ann@example.com", "title_rank": "Senior Ruby",
         "paid_ranks": {"2026-01": "Senior Gold", "2026-02": "Ruby"},
         "subscription": {"status": "active", "pv": 120}, "membership_fee_due_on": "2026-09-01"},
        {"number": 2001, "kind": "ambassador", "sponsor": 1001, "enrolled_on": "2025-11-01",
         "name": "Ben Builder", "email": "ben@example.com", "membership_fee_due_on": "2026-11-01"},
        {"number": 3001, "kind": "vip_customer", "sponsor": 2001, "enrolled_on": "2025-12-01",
         "name": "Cora Customer", "email": "cora@example.com"},
        {"number": 4001, "kind": "vip_customer", "sponsor": 1001, "enrolled_on": "2021-05-01",
         "name": "Olive Old", "email": "old@example.com", "status": "cancelled",
         "cancelled_on": "2025-12-15"},
        {"number": 5001, "kind": "vip_customer", "sponsor": 1001, "enrolled_on": "2021-05-01",
         "name": "Gone Always", "email": "gone@example.com", "status": "cancelled"},
        {"number": 7001, "kind": "vip_customer", "sponsor": 2, "enrolled_on": "2026-03-01",
         "name": "Nia New", "email": "nia@example.com"},
        {"number": 8001, "kind": "vip_customer", "sponsor": 2, "enrolled_on": "2026-02-01",
         "listed_under_2_on": "2026-03-05", "name": "Listed Late", "email": "late@example.com"},
    ],
}  # fmt: skip


@pytest.fixture
def scenario() -> None:
    load(validate(json.loads(json.dumps(SCENARIO))))


def run(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def numbers(document: dict[str, Any]) -> list[tuple[int, int, int, str]]:
    return [(m["number"], m["level"], m["sponsor"], m["status"]) for m in document["members"]]


# --- account_status ---------------------------------------------------------------------------


def test_account_status_before_enrollment_is_not_enrolled_without_sponsor(scenario):
    status = run("account_status", "7001", "--as-of", "2026-02-28")
    assert (status["status"], status["sponsor"]) == ("not_enrolled", None)


def test_account_status_on_enrollment_day_has_the_scenario_sponsor(scenario):
    status = run("account_status", "7001", "--as-of", "2026-03-01")
    assert (status["status"], status["sponsor"]) == ("active", 2)


def test_account_status_before_a_later_listing_under_2_has_no_sponsor(scenario):
    status = run("account_status", "8001", "--as-of", "2026-03-04")
    assert (status["status"], status["sponsor"]) == ("active", None)


def test_account_status_from_the_listing_day_is_under_2(scenario):
    assert run("account_status", "8001", "--as-of", "2026-03-05")["sponsor"] == 2


def test_account_status_is_active_the_day_before_cancelled_on(scenario):
    status = run("account_status", "4001", "--as-of", "2025-12-14")
    assert (status["status"], status["sponsor"]) == ("active", 1001)


def test_account_status_is_cancelled_from_cancelled_on(scenario):
    assert run("account_status", "4001", "--as-of", "2025-12-15")["status"] == "cancelled"


def test_account_status_cancelled_without_a_day_is_cancelled_on_every_enrolled_day(scenario):
    assert run("account_status", "5001", "--as-of", "2021-05-01")["status"] == "cancelled"


def test_account_status_follows_a_placement_from_its_day(scenario):
    lead = Account.objects.get(number=7001)
    sponsor_change(
        account=lead,
        new_sponsor=Account.objects.get(number=1001),
        reason=SponsorChangeReason.LEAD_PLACEMENT,
        actor=None,
        on=date(2026, 3, 15),
    )
    before = run("account_status", "7001", "--as-of", "2026-03-14")["sponsor"]
    after = run("account_status", "7001", "--as-of", "2026-03-15")["sponsor"]
    assert (before, after) == (2, 1001)


def test_not_enrolled_ambassador_is_not_a_qualified_lead_sponsor(scenario):
    status = run("account_status", "1001", "--as-of", "2020-01-31")
    assert (status["status"], status["lead_sponsor"]["qualified"], status["commission_qualified"]) == (
        "not_enrolled",
        False,
        False,
    )


# --- downline -----------------------------------------------------------------------------------


def test_downline_lists_every_level_with_sponsor_and_status(scenario):
    document = run("downline", "1001", "--as-of", "2026-03-01")
    assert (document["count"], numbers(document)) == (
        4,
        [
            (2001, 1, 1001, "active"),
            (4001, 1, 1001, "cancelled"),
            (5001, 1, 1001, "cancelled"),
            (3001, 2, 2001, "active"),
        ],
    )


def test_downline_leaves_out_members_not_enrolled_that_day(scenario):
    document = run("downline", "1001", "--as-of", "2025-11-30")
    assert [m["number"] for m in document["members"]] == [2001, 4001, 5001]


def test_downline_depth_limits_the_levels(scenario):
    document = run("downline", "1001", "--as-of", "2026-03-01", "--depth", "1")
    assert [m["number"] for m in document["members"]] == [2001, 4001, 5001]


def test_downline_of_a_member_not_enrolled_that_day_is_empty(scenario):
    document = run("downline", "2001", "--as-of", "2025-10-31")
    assert (document["count"], document["members"]) == (0, [])


def test_downline_before_a_listing_under_2_leaves_the_account_out(scenario):
    document = run("downline", "2", "--as-of", "2026-03-04")
    assert [m["number"] for m in document["members"]] == [7001]


@pytest.mark.parametrize("depth", ["0", "-1", "x"])
def test_downline_refuses_a_depth_below_one(scenario, depth):
    with pytest.raises(CommandError, match="--depth"):
        call_command("downline", "1001", "--depth", depth)


def test_cleared_member_leaves_on_the_clearing_day_and_its_organization_rolls_up(scenario):
    ben = Account.objects.get(number=2001)
    day = date(2026, 4, 1)
    sponsor_change_many(
        moves=[(Account.objects.get(number=3001).pk, Account.objects.get(number=1001).pk)],
        reason=SponsorChangeReason.CLEARING_ROLL_UP,
        actor=None,
        on=day,
    )
    sponsor_change(account=ben, new_sponsor=None, reason=SponsorChangeReason.CLEARING, actor=None, on=day)
    before = numbers(run("downline", "1001", "--as-of", "2026-03-31"))
    after = numbers(run("downline", "1001", "--as-of", "2026-04-01"))
    assert (before[0], before[-1]) == ((2001, 1, 1001, "active"), (3001, 2, 2001, "active"))
    assert [row for row in after if row[0] in (2001, 3001)] == [(3001, 1, 1001, "active")]


def test_is_in_downline_on_follows_the_history(scenario):
    cora, ann, ben = (Account.objects.get(number=n) for n in (3001, 1001, 2001))
    sponsor_change(account=cora, new_sponsor=ann, reason=SponsorChangeReason.CORRECTION, actor=None,
                   on=date(2026, 3, 10))  # fmt: skip
    assert (
        is_in_downline_on(member_id=cora.pk, upline_id=ben.pk, day=date(2026, 3, 9)),
        is_in_downline_on(member_id=cora.pk, upline_id=ben.pk, day=date(2026, 3, 10)),
        is_in_downline_on(member_id=cora.pk, upline_id=ann.pk, day=date(2026, 3, 10)),
    ) == (True, False, True)


def test_downline_on_is_one_query(scenario, django_assert_num_queries):
    ann = Account.objects.get(number=1001)
    with django_assert_num_queries(1):  # the recursive walk over the sponsorship periods of that day
        members = downline_on(account=ann, day=date(2026, 3, 1))
    assert len(members) == 4


def test_status_on_reads_the_cancellation_day(scenario):
    olive = Account.objects.get(number=4001)
    assert [status_on(olive, date(2025, 12, d)) for d in (14, 15)] == ["active", "cancelled"]


# --- other commands judge the day ---------------------------------------------------------------


def test_assign_leads_leaves_out_accounts_not_under_2_yet(scenario):
    plan = run("assign_leads", "--as-of", "2026-03-04", "--dry-run")
    assert plan["unplaced"] == [{"lead": 7001, "reason": "not_due"}]


def test_request_clear_judges_the_downline_of_that_day(scenario):
    refused = run("request_clear", "--requester", "2001", "--member", "3001", "--as-of", "2025-11-30")
    assert (refused["accepted"], refused["refusal"]) == (False, "not_in_downline")


# --- dates out of range -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["account_status", "1001"],
        ["downline", "1001"],
        ["assign_leads", "--dry-run"],
        ["request_clear", "--requester", "1001", "--member", "2001"],
        ["refund_quote", "--account", "1001", "--order", "X", "--sku", "S", "--reason", "money_back"],
    ],
)
@pytest.mark.parametrize("day", ["1899-12-31", "3000-01-01"])
def test_every_command_refuses_a_day_out_of_range(scenario, command, day):
    with pytest.raises(CommandError, match=f"--as-of: date {day} is out of range"):
        call_command(*command, "--as-of", day)


def test_scenario_refuses_a_date_out_of_range():
    data = json.loads(json.dumps(SCENARIO))
    data["accounts"][0]["enrolled_on"] = "1899-12-31"
    with pytest.raises(
        ScenarioError, match="account 1001: field 'enrolled_on': date 1899-12-31 is out of range"
    ):
        validate(data)


def test_scenario_refuses_cancelled_on_for_an_active_account():
    data = json.loads(json.dumps(SCENARIO))
    data["accounts"][0]["cancelled_on"] = "2025-01-01"
    with pytest.raises(ScenarioError, match="account 1001: field 'cancelled_on'"):
        validate(data)


REFUND_SCENARIO: dict[str, Any] = {
    "as_of": "2026-03-10",
    "products": [{"sku": "SLIM", "name": "Slim", "price": "89.95", "pv": 60}],
    "accounts": [
        {"number": 3001, "kind": "vip_customer", "sponsor": 1, "enrolled_on": "2025-01-01", "name": "Cora",
         "email": "cora@example.com",
         "orders": [{"ref": "O-1", "date": "2026-03-01", "lines": [{"sku": "SLIM"}]},
                    {"ref": "O-2", "date": "2026-03-05", "lines": [{"sku": "SLIM"}]}]},
    ],
    "refunds": [{"account": 3001, "order": "O-1", "sku": "SLIM", "requested_on": "2026-03-04",
                 "status": "refunded"}],
}  # fmt: skip


def quote(order: str, day: str) -> dict[str, Any]:
    args = ["--account", "3001", "--order", order, "--sku", "SLIM", "--reason", "money_back", "--as-of", day]
    return run("refund_quote", *args)


def test_refund_quote_does_not_count_an_order_placed_after_the_day():
    load(validate(json.loads(json.dumps(REFUND_SCENARIO))))
    assert quote("O-2", "2026-03-03")["refusal"] == "not_purchased"


def test_refund_quote_does_not_count_a_refund_requested_after_the_day():
    load(validate(json.loads(json.dumps(REFUND_SCENARIO))))
    assert (quote("O-1", "2026-03-03")["eligible"], quote("O-1", "2026-03-04")["refusal"]) == (
        True,
        "already_refunded",
    )
