"""Filing clear requests: every refusal (with its rule and dates), the order they are checked in,
the accepted request, and a double submit."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.services import account_cancel
from clearing import services
from clearing.models import ClearKind, ClearRequest, ClearStatus
from clearing.services import ClearRefused, clear_request_reject, clear_request_submit
from plexus_office.platform.models import InboxEntry
from tests.factories import TODAY, MembershipFeePaymentFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


def refuse(tree, member, requester=None):
    with pytest.raises(ClearRefused) as caught:
        clear_request_submit(requester=requester or tree.ann, member=member, actor=None, as_of=TODAY)
    assert ClearRequest.objects.count() == 0
    return caught.value


def test_inactive_customer_is_accepted_as_a_customer_clear_request_due_next_business_day(tree, today):
    request = clear_request_submit(requester=tree.ann, member=tree.cal, reason=" moved away ", actor=None)

    assert (request.kind, request.status, request.reason) == (
        ClearKind.CUSTOMER,
        ClearStatus.SUBMITTED,
        "moved away",
    )
    assert (request.as_of, request.due_on) == (date(2026, 3, 10), date(2026, 3, 11))
    assert request.facts["activity"] == "inactive"
    assert request.facts["last_order_on"] == "2025-03-09"
    assert request.get_kind_display() == "Customer Clear Request"


def test_inactive_ambassador_is_accepted_as_an_ambassador_clear_request(tree, today):
    request = clear_request_submit(requester=tree.ann, member=tree.eve, actor=None)

    assert request.kind == ClearKind.AMBASSADOR
    assert request.facts["membership_fee_due_on"] == "2025-09-10"
    assert request.facts["months_overdue"] == 6


def test_member_at_any_depth_can_be_requested(tree, today):
    request = clear_request_submit(requester=tree.ann, member=tree.cal, actor=None)  # cal is two levels down

    assert request.member == tree.cal


def test_submission_tells_the_requester_in_the_inbox(tree, today):
    request = clear_request_submit(requester=tree.ann, member=tree.cal, actor=None)

    entry = InboxEntry.objects.get(account=tree.ann)
    assert entry.event == "clearing_submitted"
    assert entry.title == f"Clear request #{request.pk} received: Cal Quiet ({tree.cal.number})"


def test_friday_submission_is_due_monday(tree):
    request = clear_request_submit(requester=tree.ann, member=tree.cal, actor=None, as_of=date(2026, 3, 13))

    assert request.due_on == date(2026, 3, 16)


def test_customer_requester_is_refused_first(tree):
    refusal = refuse(tree, tree.out, requester=tree.cal)  # also outside cal's downline: the first rule wins

    assert refusal.code == "requester_not_ambassador"
    assert refusal.message == (
        f"Account {tree.cal.number} is VIP Customer: "
        "only an upline Brand Ambassador can ask to clear a member."
    )


def test_member_outside_the_downline_is_refused(tree):
    refusal = refuse(tree, tree.out)

    assert refusal.code == "not_in_downline"
    assert f"Account {tree.out.number} is not in the downline of account {tree.ann.number}" in refusal.message


def test_requester_themself_is_not_in_their_own_downline(tree):
    assert refuse(tree, tree.ann).code == "not_in_downline"


def test_upline_of_the_requester_is_not_in_their_downline(tree):
    assert refuse(tree, tree.ann, requester=tree.bob).code == "not_in_downline"


def test_open_request_is_refused_with_its_dates(tree):
    first = clear_request_submit(requester=tree.bob, member=tree.cal, actor=None, as_of=TODAY)

    with pytest.raises(ClearRefused) as caught:
        clear_request_submit(requester=tree.ann, member=tree.cal, actor=None, as_of=TODAY)

    assert caught.value.code == "already_requested"
    assert caught.value.message == (
        f"Account {tree.cal.number} already has an open clear request (#{first.pk}, submitted 2026-03-10, "
        "decision due 2026-03-11)."
    )
    assert list(ClearRequest.objects.values_list("pk", flat=True)) == [first.pk]


def test_already_requested_is_checked_before_activity(tree):
    clear_request_submit(requester=tree.ann, member=tree.cal, actor=None, as_of=TODAY)

    with pytest.raises(ClearRefused) as caught:  # cal made active meanwhile: the open request still wins
        OrderFactory(account=tree.cal, ordered_on=TODAY)
        clear_request_submit(requester=tree.ann, member=tree.cal, actor=None, as_of=TODAY)
    assert caught.value.code == "already_requested"


def test_customer_who_ordered_exactly_12_months_ago_is_active(tree):
    refusal = refuse(tree, tree.dee)

    assert refusal.code == "member_active"
    assert refusal.message == (
        f"Account {tree.dee.number} is active as of 2026-03-10: ordered on 2025-03-10, within 12 months "
        "(on or after 2025-03-10). A customer is inactive, and can be cleared, after 12 months with no order."
    )


def test_ambassador_less_than_6_months_overdue_is_active(tree):
    tree.eve.membership_fee_due_on = date(2025, 9, 11)
    tree.eve.save(update_fields=["membership_fee_due_on"])

    refusal = refuse(tree, tree.eve)

    assert refusal.code == "member_active"
    assert "is less than 6 months overdue (6 months reached on 2026-03-11)" in refusal.message


def test_ambassador_who_paid_the_fee_within_12_months_is_active(tree):
    MembershipFeePaymentFactory(account=tree.eve, paid_on=date(2025, 3, 10))

    refusal = refuse(tree, tree.eve)

    assert refusal.code == "member_active"
    assert "membership fee paid on 2025-03-10, within 12 months" in refusal.message


def test_ambassador_who_is_neither_is_refused_with_the_dates(tree):
    refusal = refuse(tree, tree.ida)

    assert refusal.code == "member_not_inactive"
    assert refusal.message.startswith(
        f"Account {tree.ida.number} is neither active nor inactive as of 2026-03-10: membership fee due "
        "2025-06-01 is 6+ months overdue, but ordered on 2026-01-05, "
        "within 6 months (on or after 2025-09-10)."
    )


def test_ambassador_whose_last_order_is_6_months_and_a_day_old_is_inactive(tree):
    request = clear_request_submit(requester=tree.ann, member=tree.eve, actor=None, as_of=TODAY)

    assert request.facts["last_order_on"] == "2025-09-09"


def test_ambassador_who_ordered_exactly_6_months_ago_is_neither(tree):
    OrderFactory(account=tree.eve, ordered_on=date(2025, 9, 10))

    assert refuse(tree, tree.eve).code == "member_not_inactive"


def test_member_cancelled_by_its_holder_is_refused(tree):
    tree.cal.user = UserFactory(username="cal")
    tree.cal.save(update_fields=["user"])
    account_cancel(account=tree.cal, actor=tree.cal.user, reason="moving")

    refusal = refuse(tree, tree.cal)

    assert refusal.code == "member_cancelled"


def test_too_long_reason_is_refused_naming_the_field(tree):
    with pytest.raises(ClearRefused) as caught:
        clear_request_submit(requester=tree.ann, member=tree.cal, reason="x" * 2001, actor=None, as_of=TODAY)

    assert (caught.value.field, caught.value.code) == ("reason", "invalid_reason")
    assert ClearRequest.objects.count() == 0


def test_double_submit_creates_one_request(tree):
    first = clear_request_submit(requester=tree.ann, member=tree.cal, actor=None, as_of=TODAY)

    with pytest.raises(ClearRefused):
        clear_request_submit(requester=tree.ann, member=tree.cal, actor=None, as_of=TODAY)

    assert list(ClearRequest.objects.values_list("pk", flat=True)) == [first.pk]


def test_racing_submission_is_stopped_by_the_unique_constraint(tree, monkeypatch):
    """Two submissions that both passed the checks: the partial unique index lets one through."""
    first = clear_request_submit(requester=tree.ann, member=tree.cal, actor=None, as_of=TODAY)
    monkeypatch.setattr(services, "clear_request_check", lambda **kwargs: {})

    with pytest.raises(ClearRefused) as caught:
        clear_request_submit(requester=tree.bob, member=tree.cal, actor=None, as_of=TODAY)

    assert caught.value.code == "already_requested"
    assert list(ClearRequest.objects.values_list("pk", flat=True)) == [first.pk]


def test_rejected_request_does_not_block_a_new_one(tree, staff, today):
    first = clear_request_submit(requester=tree.ann, member=tree.cal, actor=None)
    clear_request_reject(request=first, actor=staff, note="talk to the member first")

    second = clear_request_submit(requester=tree.ann, member=tree.cal, actor=None)

    assert second.pk != first.pk
