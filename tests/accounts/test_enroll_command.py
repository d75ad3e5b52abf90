"""``manage.py enroll`` (scenarios.md command 6): refusals in the contract's order, judged as of a day."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import Account, Enrollment, MembershipFeePayment, Sponsorship
from plexus_office.platform.models import EmailOutbox, InboxEntry
from tests.factories import AmbassadorFactory, VipCustomerFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 1)


def enroll(*args: str) -> dict:
    out = StringIO()
    call_command("enroll", *args, "--as-of", DAY.isoformat(), "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def ann():
    return AmbassadorFactory(
        number=1001, email="ann@example.com", name="Ann Leader", enrolled_on=date(2020, 2, 1)
    )


def test_enrolling_without_a_sponsor_lists_the_member_under_2_that_day():
    result = enroll(
        "--kind", "vip_customer", "--name", "Nia New", "--email", "nia@example.com", "--number", "7001"
    )

    assert result == {
        "enrolled": True,
        "number": 7001,
        "kind": "vip_customer",
        "sponsor": 2,
        "listed_under_2_on": "2026-03-01",
        "status": "active",
        "enrolled_on": "2026-03-01",
        "membership_fee_due_on": None,
    }
    period = Sponsorship.objects.get(account__number=7001)
    assert (period.sponsor.number, period.valid_from, period.valid_to, period.reason, period.personal) == (
        2,
        DAY,
        None,
        "enrollment",
        True,
    )
    account = Account.objects.get(number=7001)
    assert timezone.localdate(account.created_at) == DAY
    assert Enrollment.objects.get(account=account).channel == "operations"


def test_an_ambassador_enrolled_by_command_has_paid_the_fee_that_day(ann):
    result = enroll(
        "--kind", "ambassador", "--name", "Sam", "--email", "sam@example.com", "--sponsor", "1001"
    )

    assert (result["sponsor"], result["listed_under_2_on"], result["membership_fee_due_on"]) == (
        1001,
        None,
        "2027-03-01",
    )
    payment = MembershipFeePayment.objects.get(account__number=result["number"])
    assert (payment.paid_on, payment.amount, payment.covers_until) == (
        DAY,
        Decimal("49.00"),
        date(2027, 3, 1),
    )


def test_a_picked_number_is_the_next_unused_one(ann):
    assert enroll("--kind", "vip_customer", "--name", "A", "--email", "a@example.com")["number"] == 1002


def test_the_sponsor_and_the_new_member_are_told(ann):
    result = enroll(
        "--kind", "vip_customer", "--name", "Cy", "--email", "cy@example.com", "--sponsor", "1001"
    )

    assert sorted(EmailOutbox.objects.values_list("to_email", "event")) == [
        ("ann@example.com", "accounts_enrollment_sponsor"),
        ("cy@example.com", "accounts_enrollment_welcome"),
    ]
    assert InboxEntry.objects.filter(account=ann, event="accounts_enrollment_sponsor").count() == 1
    welcome = EmailOutbox.objects.get(event="accounts_enrollment_welcome")
    assert str(result["number"]) in welcome.subject and "ann@example.com" in welcome.body_text


def test_email_in_use_ignores_case_and_surrounding_spaces(ann):
    before = Account.objects.count()

    assert enroll("--kind", "vip_customer", "--name", "X", "--email", "  ANN@Example.com ")["refusal"] == (
        "email_in_use"
    )
    assert Account.objects.count() == before


def test_a_cancelled_members_email_can_enroll_again_at_once():
    VipCustomerFactory(number=4001, email="old@example.com", status="cancelled")

    result = enroll(
        "--kind", "vip_customer", "--name", "Olive", "--email", "old@example.com", "--number", "7003"
    )

    assert (result["enrolled"], result["number"]) == (True, 7003)


def test_an_account_cancelled_after_the_day_still_holds_its_email_that_day():
    VipCustomerFactory(
        email="late@example.com",
        status="cancelled",
        cancelled_at=timezone.make_aware(datetime(2026, 3, 5, 12, 0)),
    )

    assert enroll("--kind", "vip_customer", "--name", "L", "--email", "late@example.com")["refusal"] == (
        "email_in_use"
    )


def test_number_taken_comes_before_email_in_use(ann):
    result = enroll("--kind", "vip_customer", "--name", "X", "--email", "ann@example.com", "--number", "1001")

    assert result["refusal"] == "number_taken"


def test_number_taken_counts_cancelled_accounts():
    VipCustomerFactory(number=4001, status="cancelled")

    assert (
        enroll("--kind", "vip_customer", "--name", "X", "--email", "x@example.com", "--number", "4001")[
            "refusal"
        ]
        == "number_taken"
    )


def test_an_unknown_sponsor_is_refused():
    assert (
        enroll("--kind", "vip_customer", "--name", "X", "--email", "x@example.com", "--sponsor", "999")[
            "refusal"
        ]
        == "sponsor_not_found"
    )


@pytest.mark.parametrize("sponsor", ["1", "3001"])
def test_the_corporate_root_and_customers_cannot_sponsor(sponsor):
    VipCustomerFactory(number=3001)
    before = Account.objects.count()

    result = enroll("--kind", "vip_customer", "--name", "X", "--email", "x@example.com", "--sponsor", sponsor)

    assert result["refusal"] == "sponsor_not_eligible"
    assert Account.objects.count() == before


def test_a_sponsor_not_yet_enrolled_on_the_day_is_not_eligible():
    AmbassadorFactory(number=1005, enrolled_on=date(2026, 3, 2))

    assert (
        enroll("--kind", "vip_customer", "--name", "X", "--email", "x@example.com", "--sponsor", "1005")[
            "refusal"
        ]
        == "sponsor_not_eligible"
    )


def test_a_cancelled_sponsor_is_not_eligible():
    AmbassadorFactory(number=1006, status="cancelled")

    assert (
        enroll("--kind", "vip_customer", "--name", "X", "--email", "x@example.com", "--sponsor", "1006")[
            "refusal"
        ]
        == "sponsor_not_eligible"
    )


def test_sponsor_2_is_the_corporate_sponsor_designation():
    result = enroll("--kind", "ambassador", "--name", "X", "--email", "x@example.com", "--sponsor", "2")

    assert (result["sponsor"], result["listed_under_2_on"]) == (2, "2026-03-01")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not-an-email"], "email: 'not-an-email' is not a valid email address"),
        (["--email", "a@example.com", "--country", "USA"], "country: 'USA' is not a two-letter country code"),
        (["--email", "a@example.com", "--sponsor", "abc"], "--sponsor: not an account number: 'abc'"),
    ],
)
def test_bad_input_is_one_line_naming_the_field_and_changes_nothing(args, message):
    before = Account.objects.count()

    with pytest.raises(CommandError) as caught:
        call_command("enroll", "--kind", "vip_customer", "--name", "X", *args, "--json", stdout=StringIO())

    assert str(caught.value) == message
    assert Account.objects.count() == before


def test_a_bad_as_of_date_is_bad_input():
    with pytest.raises(CommandError, match="--as-of"):
        call_command(
            "enroll",
            "--kind",
            "vip_customer",
            "--name",
            "X",
            "--email",
            "x@example.com",
            "--as-of",
            "2026-13-01",
        )
