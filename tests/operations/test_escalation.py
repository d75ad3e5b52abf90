"""The morning escalation digest: once per group and business day, email + staff inbox, overdue first."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clearing.models import ClearRequest
from leads.models import SponsorCorrection
from operations.models import EscalationDigest, StaffInboxEntry
from operations.staff.escalation import escalation_digest_send
from plexus_office.platform.models import EmailOutbox
from plexus_office.platform.roles import CUSTOMER_SERVICE
from tests.factories import TODAY

pytestmark = pytest.mark.django_db

DIGEST = "operations_escalation_digest"


@pytest.fixture
def cs_items_due(company):
    ClearRequest.objects.filter(pk=company.clear_request.pk).update(due_on=TODAY - timedelta(days=2))
    SponsorCorrection.objects.filter(pk=company.correction.pk).update(due_on=TODAY)
    user = company.users["customer_service"]
    user.email = "cs.desk@example.com"
    user.save(update_fields=["email"])
    return company


def test_customer_service_get_one_digest_with_the_overdue_item_first_and_marked(cs_items_due):
    escalation_digest_send(as_of=TODAY)

    email = EmailOutbox.objects.get(event=DIGEST, to_email="cs.desk@example.com")
    assert email.subject == "Customer Service: 1 overdue, 1 due today (Tue 10 Mar)"
    overdue_line = email.body_text.index("OVERDUE 2 days")
    today_line = email.body_text.index("due today ·")
    assert overdue_line < today_line
    assert "background:#fdecea" in email.body_html
    inbox = StaffInboxEntry.objects.get(user=cs_items_due.users["customer_service"])
    assert inbox.title == email.subject


def test_a_second_run_the_same_day_sends_nothing(cs_items_due):
    escalation_digest_send(as_of=TODAY)
    again = escalation_digest_send(as_of=TODAY)

    assert again == []
    assert EmailOutbox.objects.filter(event=DIGEST, to_email="cs.desk@example.com").count() == 1
    assert StaffInboxEntry.objects.filter(user=cs_items_due.users["customer_service"]).count() == 1
    assert EscalationDigest.objects.filter(group=CUSTOMER_SERVICE, day=TODAY).count() == 1


def test_the_next_business_day_gets_its_own_digest(cs_items_due):
    escalation_digest_send(as_of=TODAY)
    escalation_digest_send(as_of=TODAY + timedelta(days=1))

    assert EmailOutbox.objects.filter(event=DIGEST, to_email="cs.desk@example.com").count() == 2


@pytest.mark.parametrize("day", [date(2026, 3, 14), date(2026, 5, 25)], ids=["saturday", "memorial-day"])
def test_no_digest_on_weekends_and_holidays(cs_items_due, day):
    assert escalation_digest_send(as_of=day) == []
    assert EscalationDigest.objects.count() == 0


def test_a_group_with_nothing_due_gets_no_message_but_the_day_is_done(company):
    escalation_digest_send(as_of=TODAY)

    returns = EscalationDigest.objects.get(group="Returns", day=TODAY)
    assert (returns.recipients, returns.overdue, returns.due_today) == (0, 0, 0)
    assert not StaffInboxEntry.objects.filter(user=company.users["returns"]).exists()


def test_each_group_gets_its_own_digest_and_leads_operations_hear_of_due_leads(cs_items_due):
    escalation_digest_send(as_of=TODAY)

    got = sorted(StaffInboxEntry.objects.values_list("user__username", "title"))
    # Returns and Finance have nothing due today; Lena has waited under "2" past her due date.
    assert got == [
        ("staff_customer_service", "Customer Service: 1 overdue, 1 due today (Tue 10 Mar)"),
        ("staff_leads_ops", "Leads Operations: 1 overdue, 0 due today (Tue 10 Mar)"),
    ]
