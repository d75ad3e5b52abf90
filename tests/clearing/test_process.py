"""Processing clear requests: clearing with roll-up, the re-check at processing, cancelled meanwhile,
rejections, double processing, gateway card deletion and re-enrollment."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Account, SavedCard, SponsorChangeReason, Sponsorship, Subscription
from accounts.services import account_cancel, account_enroll
from clearing.models import ClearRequest, ClearStatus
from clearing.services import (
    ClearProcessingError,
    ClearRefused,
    clear_request_clear,
    clear_request_reject,
    clear_request_submit,
    cleared_cards_delete_at_gateway,
)
from clearing.tasks import delete_cards_at_gateway, sweep_card_deletions
from plexus_office import clock
from plexus_office.platform.gateway import GatewayTimeout, SandboxGateway, get_gateway
from plexus_office.platform.models import InboxEntry, SandboxCard
from tests.factories import TODAY, MembershipFeePaymentFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db
NEXT_DAY = date(2026, 3, 11)


def submit(tree, member):
    return clear_request_submit(requester=tree.ann, member=member, actor=None, as_of=TODAY)


def process(request, staff, day=NEXT_DAY):
    with clock.frozen_at(day):
        return clear_request_clear(request=request, actor=staff)


def test_clearing_cancels_the_account_ends_subscription_and_removes_cards(tree, staff):
    request = process(submit(tree, tree.eve), staff)

    eve = Account.objects.get(pk=tree.eve.pk)
    assert (request.status, request.decided_by) == (ClearStatus.CLEARED, staff)
    assert (eve.status, eve.cancel_reason, eve.sponsor_id) == ("cancelled", "cleared", None)
    assert eve.cancelled_at.date() == NEXT_DAY
    subscription = Subscription.objects.get(account=eve)
    assert (subscription.status, subscription.ended_on) == ("cancelled", NEXT_DAY)
    assert SavedCard.objects.filter(account=eve, removed_at__isnull=True).count() == 0
    assert SavedCard.objects.filter(account=eve).count() == 2


def test_clearing_closes_the_sponsor_history_with_reason_clearing(tree, staff):
    process(submit(tree, tree.eve), staff)

    periods = list(
        Sponsorship.objects.filter(account=tree.eve).values_list("sponsor_id", "valid_to", "end_reason")
    )
    assert periods == [(tree.ann.pk, NEXT_DAY, SponsorChangeReason.CLEARING)]


def test_direct_downline_rolls_up_to_the_cleared_members_sponsor(tree, staff):
    process(submit(tree, tree.eve), staff)

    for child in (tree.fay, tree.hal):
        child.refresh_from_db()
        assert (child.sponsor_id, child.personally_enrolled) == (tree.ann.pk, False)
        closed, opened = Sponsorship.objects.filter(account=child).order_by("id")
        assert (closed.sponsor_id, closed.valid_to, closed.end_reason) == (
            tree.eve.pk,
            NEXT_DAY,
            "clearing_roll_up",
        )
        assert (opened.sponsor_id, opened.valid_from, opened.reason, opened.personal, opened.created_by) == (
            tree.ann.pk,
            NEXT_DAY,
            "clearing_roll_up",
            False,
            staff,
        )
    tree.gus.refresh_from_db()
    assert tree.gus.sponsor_id == tree.fay.pk  # deeper levels move with their sponsor, untouched


def test_big_fan_out_rolls_up_set_based_with_the_same_history(tree, staff, monkeypatch):

    process(submit(tree, tree.eve), staff)

    assert set(Account.objects.filter(sponsor=tree.ann).values_list("name", flat=True)) == {
        "Bob Active",
        "Dee Boundary",
        "Ida Neither",
        "Fay Child",
        "Hal Placed",
    }
    opened = Sponsorship.objects.filter(account__in=[tree.fay, tree.hal], valid_to__isnull=True)
    assert (
        sorted(opened.values_list("sponsor_id", "reason", "personal", "valid_from"))
        == [(tree.ann.pk, "clearing_roll_up", False, NEXT_DAY)] * 2
    )
    assert (
        Sponsorship.objects.filter(account__in=[tree.fay, tree.hal], end_reason="clearing_roll_up").count()
        == 2
    )


def test_requester_and_cleared_member_are_notified(tree, staff):
    request = process(submit(tree, tree.eve), staff)

    assert InboxEntry.objects.get(account=tree.ann, event="clearing_cleared").title == (
        f"Eve Lapsed ({tree.eve.number}) has been cleared from your downline"
    )
    member_entry = InboxEntry.objects.get(account=tree.eve, event="clearing_member_cleared")
    assert member_entry.title == f"Your Plexus account {tree.eve.number} has been closed"
    assert "same email address and no waiting period" in member_entry.body
    assert request.decided_at is not None


def test_card_deletion_is_queued_only_after_commit(
    tree, staff, django_capture_on_commit_callbacks, _no_broker
):
    with django_capture_on_commit_callbacks(execute=True):
        process(submit(tree, tree.eve), staff)

    assert _no_broker == [tree.eve.pk]


def test_member_who_became_active_is_rejected_automatically_with_the_reason(tree, staff):
    request = submit(tree, tree.eve)
    MembershipFeePaymentFactory(account=tree.eve, paid_on=NEXT_DAY)

    request = process(request, staff)

    assert request.status == ClearStatus.REJECTED
    assert request.decision_note.startswith(
        f"Not cleared: account {tree.eve.number} is active as of 2026-03-11 "
        "(membership fee paid on 2026-03-11"
    )
    assert request.processing_facts["activity"] == "active"
    assert Account.objects.get(pk=tree.eve.pk).status == "active"
    assert Account.objects.get(pk=tree.fay.pk).sponsor_id == tree.eve.pk
    rejected = InboxEntry.objects.get(account=tree.ann, event="clearing_rejected")
    assert request.decision_note in rejected.body


def test_customer_who_ordered_between_submission_and_processing_is_not_cleared(tree, staff):
    request = submit(tree, tree.cal)
    OrderFactory(account=tree.cal, ordered_on=NEXT_DAY)

    assert process(request, staff).status == ClearStatus.REJECTED
    assert Account.objects.get(pk=tree.cal.pk).status == "active"


def test_order_dated_after_processing_day_does_not_count(tree, staff):
    request = submit(tree, tree.cal)
    OrderFactory(account=tree.cal, ordered_on=date(2026, 3, 12))

    assert process(request, staff, day=NEXT_DAY).status == ClearStatus.CLEARED


def test_member_cancelled_meanwhile_by_its_holder_ends_rejected_with_the_reason(tree, staff):
    request = submit(tree, tree.cal)
    holder = UserFactory(username="cal")
    Account.objects.filter(pk=tree.cal.pk).update(user=holder)
    tree.cal.refresh_from_db()
    with clock.frozen_at(TODAY):
        account_cancel(account=tree.cal, actor=holder, reason="moving")

    request = process(request, staff)

    assert request.status == ClearStatus.REJECTED
    assert request.decision_note == "Member already cancelled (2026-03-10); nothing to clear."
    cal = Account.objects.get(pk=tree.cal.pk)
    assert (cal.cancel_reason, cal.sponsor_id) == ("moving", tree.bob.pk)


def test_a_request_cannot_be_cleared_twice(tree, staff):
    request = process(submit(tree, tree.eve), staff)
    history = Sponsorship.objects.count()

    with pytest.raises(ClearProcessingError) as caught:
        process(request, staff)

    assert (caught.value.field, str(caught.value)) == ("status", f"request #{request.pk} is already cleared")
    assert Sponsorship.objects.count() == history
    assert InboxEntry.objects.filter(event="clearing_cleared").count() == 1


def test_a_cleared_member_cannot_be_requested_again(tree, staff):
    process(submit(tree, tree.eve), staff)

    with pytest.raises(ClearRefused) as caught:
        submit(tree, tree.eve)
    assert caught.value.code == "not_in_downline"  # cleared members are out of the genealogy


def test_reject_needs_a_note_and_changes_nothing_without_one(tree, staff):
    request = submit(tree, tree.cal)

    with pytest.raises(ClearProcessingError) as caught:
        clear_request_reject(request=request, actor=staff, note="  ")

    assert caught.value.field == "note"
    assert ClearRequest.objects.get(pk=request.pk).status == ClearStatus.SUBMITTED


def test_reject_keeps_the_member_and_tells_the_requester(tree, staff):
    request = clear_request_reject(request=submit(tree, tree.cal), actor=staff, note="Member called us back")

    assert (request.status, request.decision_note, request.decided_by) == (
        ClearStatus.REJECTED,
        "Member called us back",
        staff,
    )
    assert Account.objects.get(pk=tree.cal.pk).status == "active"
    assert "Reason: Member called us back" in InboxEntry.objects.get(event="clearing_rejected").body


def test_removed_cards_are_deleted_at_the_gateway_by_the_task(tree, staff):

    token = (
        get_gateway()
        .tokenize(
            number="4242424242424242",
            exp_month=12,
            exp_year=2030,
            cvv="123",
            holder_name="Eve Lapsed",
            postal_code="85251",
        )
        .token
    )
    SavedCard.objects.filter(account=tree.eve, is_default=False).update(token=token)
    request = process(submit(tree, tree.eve), staff)

    assert delete_cards_at_gateway.run(tree.eve.pk) == 2
    assert delete_cards_at_gateway.run(tree.eve.pk) == 2  # a repeat is harmless

    assert SandboxCard.objects.get(token=token).deleted_at is not None
    assert ClearRequest.objects.get(pk=request.pk).cards_deleted_at is not None


def test_gateway_failure_leaves_the_request_for_a_retry(tree, staff):

    request = process(submit(tree, tree.eve), staff)
    SandboxGateway.inject_fault(operation="delete_card", kind="timeout")

    with pytest.raises(GatewayTimeout):
        cleared_cards_delete_at_gateway(account_id=tree.eve.pk)

    assert ClearRequest.objects.get(pk=request.pk).cards_deleted_at is None
    assert cleared_cards_delete_at_gateway(account_id=tree.eve.pk) == 2


def test_card_task_never_touches_a_live_account(tree):
    SavedCard.objects.filter(account=tree.bob).update(removed_at=clock.now())

    assert cleared_cards_delete_at_gateway(account_id=tree.bob.pk) == 0


def test_sweep_requeues_cleared_members_whose_cards_are_not_confirmed(tree, staff, _no_broker):
    process(submit(tree, tree.eve), staff, day=TODAY)  # decided "at noon" of a past day

    assert sweep_card_deletions.run() == 1
    assert _no_broker == [tree.eve.pk]


def test_cleared_person_re_enrolls_at_once_with_the_same_email(tree, staff):
    process(submit(tree, tree.eve), staff)

    with clock.frozen_at(NEXT_DAY):
        again = account_enroll(
            kind="vip_customer",
            sponsor=tree.bob,
            name="Eve Lapsed",
            email="EVE@example.com",
            country="us",
            actor=staff,
        )

    assert again.pk != tree.eve.pk and again.number > tree.eve.number
    assert (again.kind, again.status, again.sponsor_id, again.enrolled_on) == (
        "vip_customer",
        "active",
        tree.bob.pk,
        NEXT_DAY,
    )
    opening = Sponsorship.objects.get(account=again)
    assert (opening.reason, opening.personal, opening.valid_from) == ("enrollment", True, NEXT_DAY)
    assert Account.objects.get(pk=tree.eve.pk).status == "cancelled"  # the old account stays for history


def test_enrolling_with_a_live_accounts_email_is_refused_naming_the_field(tree, staff):
    before = Account.objects.count()

    with pytest.raises(ValidationError) as caught:
        account_enroll(
            kind="ambassador",
            sponsor=tree.ann,
            name="Eve Again",
            email="eve@example.com",
            country="US",
            actor=staff,
        )

    assert caught.value.message_dict == {
        "email": ["email: eve@example.com already belongs to a live account"]
    }
    assert Account.objects.count() == before
