"""The Customer Service queue in Django admin."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django_fsm_log.models import StateLog

from accounts.models import Account
from clearing.models import ClearRequest, ClearStatus
from clearing.services import clear_request_submit
from plexus_office import clock
from tests.factories import TODAY, MembershipFeePaymentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _transition_url(request, name):
    return reverse("admin:clearing_clearrequest_transition", args=[request.pk, name])


def test_customer_service_sees_the_queue_with_overdue_highlighted(client, tree, staff):
    clear_request_submit(requester=tree.ann, member=tree.cal, actor=None, as_of=TODAY)
    client.force_login(staff)

    with clock.frozen_at(date(2026, 3, 12)):  # due 2026-03-11: one day late
        page = client.get(reverse("admin:clearing_clearrequest_changelist")).content.decode()

    assert "2026-03-11 · overdue" in page


def test_staff_outside_customer_service_cannot_see_the_queue(client, tree):
    client.force_login(UserFactory(username="someone", is_staff=True))

    assert client.get(reverse("admin:clearing_clearrequest_changelist")).status_code == 403


def test_clear_in_admin_clears_the_member_and_logs_the_transition(client, tree, staff):
    request = clear_request_submit(requester=tree.ann, member=tree.eve, actor=None, as_of=TODAY)
    client.force_login(staff)

    with clock.frozen_at(date(2026, 3, 11)):
        response = client.post(_transition_url(request, "clear"), {"description": ""}, follow=True)

    assert "Done: Clear the member." in response.content.decode()
    request = ClearRequest.objects.get(pk=request.pk)
    assert request.status == ClearStatus.CLEARED
    assert Account.objects.get(pk=tree.eve.pk).status == "cancelled"
    log = StateLog.objects.for_(request).get()
    assert (log.by, log.source_state, log.state) == (staff, "submitted", "cleared")


def test_clear_in_admin_of_a_member_who_became_active_warns_and_rejects(client, tree, staff):
    request = clear_request_submit(requester=tree.ann, member=tree.eve, actor=None, as_of=TODAY)
    MembershipFeePaymentFactory(account=tree.eve, paid_on=date(2026, 3, 11))
    client.force_login(staff)

    with clock.frozen_at(date(2026, 3, 11)):
        response = client.post(_transition_url(request, "clear"), {"description": ""}, follow=True)

    assert "Not cleared; rejected automatically: Not cleared: account" in response.content.decode()
    assert ClearRequest.objects.get(pk=request.pk).status == ClearStatus.REJECTED


def test_reject_in_admin_needs_a_note(client, tree, staff):
    request = clear_request_submit(requester=tree.ann, member=tree.cal, actor=None, as_of=TODAY)
    client.force_login(staff)

    response = client.post(_transition_url(request, "reject"), {"description": ""})

    assert response.status_code == 200
    assert "Note: a note is required for this decision." in response.content.decode()
    assert ClearRequest.objects.get(pk=request.pk).status == ClearStatus.SUBMITTED


def test_claim_makes_the_staff_member_the_assignee(client, tree, staff):
    request = clear_request_submit(requester=tree.ann, member=tree.cal, actor=None, as_of=TODAY)
    client.force_login(staff)

    client.post(reverse("admin:clearing_clearrequest_change", args=[request.pk]), {"_claim": "1"})

    assert ClearRequest.objects.get(pk=request.pk).assignee == staff
