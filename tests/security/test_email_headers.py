"""A member's display name is a name in the ``To:`` header, never an address; unsendable rows fail."""

from __future__ import annotations

from email.utils import getaddresses

import pytest
from django.core import mail
from django.core.mail.message import sanitize_address

from plexus_office.platform.models import EmailOutbox, OutboxState
from plexus_office.platform.outbox import outbox_send

pytestmark = pytest.mark.django_db


def _row(name: str, email: str = "casey@example.com") -> EmailOutbox:
    return EmailOutbox.objects.create(
        to_email=email, to_name=name, event="accounts_email_change_requested", subject="Hi", body_text="Hello"
    )


@pytest.mark.parametrize(
    "name",
    [
        "Casey <attacker@evil.example> (",
        "Smith, John",
        "Eve\r\nBcc: attacker@evil.example",
        'Quote " Mark',
        "Zoë Ünïcode",
    ],
)
def test_a_hostile_or_odd_display_name_reaches_only_the_members_address(name):
    row = _row(name)

    assert outbox_send(outbox_id=row.pk) == ("sent", 0)

    [sent] = mail.outbox
    # What the SMTP envelope gets (Django's sanitize_address) and what a mail client reads (To:).
    envelope = [sanitize_address(to, "utf-8") for to in sent.recipients()]
    assert [address for _name, address in getaddresses(envelope)] == ["casey@example.com"]
    assert [address for _name, address in getaddresses([sent.message()["To"]])] == ["casey@example.com"]
    assert "Bcc" not in sent.message().keys()
    assert EmailOutbox.objects.get(pk=row.pk).state == OutboxState.SENT


def test_a_row_whose_address_is_not_an_address_is_marked_failed_with_the_reason_and_not_retried():
    row = _row("Casey", email="not an address, really")

    assert outbox_send(outbox_id=row.pk) == ("failed", 0)

    failed = EmailOutbox.objects.get(pk=row.pk)
    assert (failed.state, failed.next_attempt_at, mail.outbox) == (OutboxState.FAILED, None, [])
    assert "UnsendableEmail: to_email: 'not an address, really' is not an email address" in failed.last_error
    assert outbox_send(outbox_id=row.pk) == ("skipped", 0)
