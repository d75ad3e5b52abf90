"""A mail server refusing an address for good flags the member's email as hard-bounced."""

import pytest

from accounts.models import Account
from accounts.models_selfservice import AccountFlag
from plexus_office.platform.models import EmailOutbox, OutboxState
from plexus_office.platform.notifications import notify
from plexus_office.platform.outbox import outbox_send
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
EVENT = "platform/test_email"


def _row(account):
    return notify(recipient=account, event=EVENT, context={"reference": 1}).email


def test_a_550_refusal_marks_the_email_hard_bounced_and_is_not_retried(smtp_server):
    member = AccountFactory(email="gone@example.com")
    smtp_server.refuse["gone@example.com"] = "550 5.1.1 No such user"
    row = _row(member)

    assert outbox_send(outbox_id=row.pk) == ("bounced", 0)

    row.refresh_from_db()
    assert (row.state, row.next_attempt_at) == (OutboxState.FAILED, None)
    assert "550" in row.last_error
    assert Account.objects.get(pk=member.pk).email_bounced_at is not None
    assert AccountFlag.objects.filter(account=member, code="email_bounced").count() == 1


def test_a_temporary_refusal_of_the_address_is_retried_and_flags_nothing(smtp_server):
    member = AccountFactory(email="busy@example.com")
    smtp_server.refuse["busy@example.com"] = "450 4.2.1 Mailbox busy"
    row = _row(member)

    assert outbox_send(outbox_id=row.pk)[0] == "retry"

    assert EmailOutbox.objects.get(pk=row.pk).next_attempt_at is not None
    assert Account.objects.get(pk=member.pk).email_bounced_at is None


def test_a_bounce_of_an_address_the_member_has_since_changed_flags_nothing(smtp_server):
    member = AccountFactory(email="old@example.com")
    smtp_server.refuse["old@example.com"] = "550 5.1.1 No such user"
    row = _row(member)
    Account.objects.filter(pk=member.pk).update(email="new@example.com")

    assert outbox_send(outbox_id=row.pk) == ("bounced", 0)

    assert Account.objects.get(pk=member.pk).email_bounced_at is None
