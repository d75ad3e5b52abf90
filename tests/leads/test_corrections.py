"""Sponsor Correction Requests: validation, the queue's decisions, and what they change."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django_fsm_log.models import StateLog

from accounts.models import Account, AccountStatus, SponsorChangeReason, Sponsorship
from leads.models import SponsorCorrection
from leads.services import (
    CorrectionRefused,
    leads_assign,
    sponsor_correction_approve,
    sponsor_correction_reject,
    sponsor_correction_request,
)
from plexus_office import clock
from plexus_office.platform.models import EmailOutbox
from tests.factories import AmbassadorFactory, UserFactory, VipCustomerFactory
from tests.leads.builders import AS_OF, lead, qualified_sponsor, sponsor_number_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(AS_OF):  # Tuesday 2026-03-10
        yield


@pytest.fixture
def staff():
    return UserFactory(username="cs-anna", is_staff=True, is_superuser=True)


def _request(account, number, **kwargs):
    return sponsor_correction_request(account=account, sponsor_number=number, actor=None, **kwargs)


def _refusal(account, number) -> CorrectionRefused:
    with pytest.raises(CorrectionRefused) as caught:
        _request(account, number)
    assert SponsorCorrection.objects.count() == 0
    return caught.value


def test_a_lead_under_2_asks_for_the_sponsor_they_meant_and_is_due_in_two_business_days():
    AmbassadorFactory(number=1001)
    member = lead(5001, listed=date(2026, 3, 1))

    made = _request(member, "1001", explanation="I meant my friend Ann")

    assert (made.status, made.due_on, made.requested_sponsor.number, made.sponsor_at_request.number) == (
        "submitted",
        date(2026, 3, 12),
        1001,
        2,
    )
    assert EmailOutbox.objects.filter(account=member, event="leads_correction_submitted").count() == 1


def test_an_unknown_sponsor_number_is_refused_naming_the_field():
    member = lead(5001, listed=date(2026, 3, 1))

    refusal = _refusal(member, "99999")

    # Neutral (issue 13): no account and an ineligible account read the same.
    assert (refusal.field, refusal.message) == (
        "sponsor_number",
        "account 99999 cannot be chosen as your sponsor; check the number with them",
    )


def test_a_sponsor_who_is_not_a_live_ambassador_in_good_standing_is_refused():
    member = lead(5001, listed=date(2026, 3, 1))
    VipCustomerFactory(number=3001)
    gone = AmbassadorFactory(number=1002)
    Account.objects.filter(pk=gone.pk).update(status=AccountStatus.CANCELLED)
    AmbassadorFactory(number=1003, membership_fee_due_on=date(2025, 8, 1))

    # Neutral (issue 13): nothing about another member's fees, orders or status.
    for number in (3001, 1002, 1003, 2):
        assert (
            _refusal(member, number).message
            == f"account {number} cannot be chosen as your sponsor; check the number with them"
        )


def test_a_sponsor_in_the_members_own_downline_is_refused_as_a_loop():
    member = lead(5001, listed=date(2026, 3, 1), kind="ambassador")
    AmbassadorFactory(number=6001, sponsor=member)

    refusal = _refusal(member, 6001)

    assert refusal.message == "account 6001 is in your own downline; that would make a loop"


def test_a_second_request_while_one_is_open_is_refused_and_the_database_refuses_it_too():
    AmbassadorFactory(number=1001)
    AmbassadorFactory(number=1002)
    member = lead(5001, listed=date(2026, 3, 1))
    first = _request(member, 1001)

    with pytest.raises(CorrectionRefused) as caught:
        _request(member, 1002)

    assert caught.value.field == "account"
    assert f"#{first.pk}" in caught.value.message
    with pytest.raises(IntegrityError), transaction.atomic():
        SponsorCorrection.objects.create(
            account=member, requested_sponsor=first.requested_sponsor, due_on=AS_OF
        )
    assert SponsorCorrection.objects.count() == 1


def test_a_personally_enrolled_member_cannot_use_the_leads_correction():
    AmbassadorFactory(number=1001)
    member = VipCustomerFactory(number=3001)

    refusal = _refusal(member, 1001)

    assert refusal.field == "account"


def test_approving_a_request_under_2_places_the_member_personally_and_takes_it_out_of_the_pool(staff):
    qualified_sponsor(1005)
    wanted = AmbassadorFactory(number=1001)
    member = lead(5001, listed=date(2026, 2, 1))
    made = _request(member, 1001)

    sponsor_correction_approve(correction=made, actor=staff, note="confirmed by phone")

    member.refresh_from_db()
    assert (member.sponsor_id, member.personally_enrolled, member.listed_under_2_on) == (
        wanted.pk,
        True,
        None,
    )
    assert (
        Sponsorship.objects.get(account=member, valid_to__isnull=True).reason
        == SponsorChangeReason.CORRECTION
    )
    made.refresh_from_db()
    assert (made.status, made.decided_by, made.decision_note) == ("approved", staff, "confirmed by phone")
    assert StateLog.objects.get(object_id=made.pk).description == "confirmed by phone"
    assert sorted(EmailOutbox.objects.values_list("account__number", "event")) == [
        (1001, "leads_correction_sponsor_gained"),
        (5001, "leads_correction_approved"),
        (5001, "leads_correction_submitted"),
    ]
    assert leads_assign(as_of=AS_OF, actor=None).placements == []


def test_approving_a_request_of_a_placed_lead_tells_the_old_sponsor_too(staff):
    qualified_sponsor(1005)
    AmbassadorFactory(number=1001)
    member = lead(5001, listed=date(2026, 2, 1))
    leads_assign(as_of=AS_OF, actor=None)
    member.refresh_from_db()
    made = _request(member, 1001)

    sponsor_correction_approve(correction=made, actor=staff)

    assert sponsor_number_of(5001) == 1001
    assert (
        EmailOutbox.objects.filter(account__number=1005, event="leads_correction_sponsor_lost").count() == 1
    )


def test_approval_checks_the_sponsor_again_and_refuses_when_they_no_longer_qualify(staff):
    wanted = AmbassadorFactory(number=1001)
    member = lead(5001, listed=date(2026, 2, 1))
    made = _request(member, 1001)
    Account.objects.filter(pk=wanted.pk).update(status=AccountStatus.CANCELLED)

    with pytest.raises(CorrectionRefused):
        sponsor_correction_approve(correction=made, actor=staff)

    made.refresh_from_db()
    assert (made.status, sponsor_number_of(5001)) == ("submitted", 2)


def test_rejecting_needs_a_reason_and_tells_the_member(staff):
    AmbassadorFactory(number=1001)
    member = lead(5001, listed=date(2026, 2, 1))
    made = _request(member, 1001)

    with pytest.raises(CorrectionRefused) as caught:
        sponsor_correction_reject(correction=made, actor=staff, note="  ")
    made.refresh_from_db()
    assert (caught.value.field, made.status) == ("note", "submitted")

    sponsor_correction_reject(correction=made, actor=staff, note="Ann confirms she did not enroll you")

    made.refresh_from_db()
    assert (made.status, made.decision_note, sponsor_number_of(5001)) == (
        "rejected",
        "Ann confirms she did not enroll you",
        2,
    )
    assert EmailOutbox.objects.filter(account=member, event="leads_correction_rejected").count() == 1


def test_an_open_request_holds_the_lead_out_of_placement_until_decided():
    qualified_sponsor(1005)
    AmbassadorFactory(number=1001)
    member = lead(5001, listed=date(2026, 2, 1))
    _request(member, 1001)

    result = leads_assign(as_of=AS_OF, actor=None)

    assert result.unplaced == [(5001, "correction_pending")]
