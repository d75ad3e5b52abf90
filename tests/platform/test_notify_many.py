"""notify_many: bulk inbox + outbox rows rendered later, delivered exactly like notify's."""

import pytest
from django.core import mail

from plexus_office.platform import tasks
from plexus_office.platform.models import EmailOutbox, InboxEntry
from plexus_office.platform.notifications import NotificationError, notify_many
from plexus_office.platform.outbox import outbox_send
from plexus_office.platform.selectors import inbox_page
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _items(*recipients):
    sponsor = {
        "number": 1001,
        "name": "Ann Sponsor",
        "email": "ann@example.com",
        "phone": "",
        "country": "US",
    }
    return [
        {
            "recipient": r,
            "event": "leads_new_sponsor",
            "context": {"sponsor": sponsor, "as_of": "2026-03-10"},
            "link": "/",
        }
        for r in recipients
    ]


def test_notify_many_writes_one_inbox_entry_and_one_email_per_item():
    a, b = AccountFactory(), AccountFactory(email="")

    written = notify_many(items=_items(a, b))

    assert written == 1
    assert InboxEntry.objects.filter(account__in=[a, b]).count() == 2
    assert list(EmailOutbox.objects.values_list("to_email", "subject", "body_text")) == [(a.email, "", "")]


def test_notify_many_email_is_rendered_when_sent():
    member = AccountFactory(name="Lee Lead")
    notify_many(items=_items(member))
    row = EmailOutbox.objects.get()

    assert outbox_send(outbox_id=row.pk) == ("sent", 0)

    row.refresh_from_db()
    assert "Ann Sponsor" in row.body_text
    assert row.subject != ""
    assert mail.outbox[0].subject == row.subject


def test_notify_many_inbox_entry_is_rendered_on_first_display():
    member = AccountFactory()
    notify_many(items=_items(member))

    [entry] = inbox_page(account=member)

    assert entry.title != ""
    assert "Ann Sponsor" in InboxEntry.objects.get(pk=entry.pk).body


def test_notify_many_refuses_an_event_without_templates_and_writes_nothing():
    member = AccountFactory()
    items = [{"recipient": member, "event": "no_such_event", "context": {}, "link": ""}]

    with pytest.raises(NotificationError, match="event"):
        notify_many(items=items)

    assert (InboxEntry.objects.count(), EmailOutbox.objects.count()) == (0, 0)


def test_a_sweep_with_more_than_one_batch_chains_until_every_email_is_sent(
    monkeypatch, eager_celery, mailoutbox
):
    monkeypatch.setattr(tasks, "SWEEP_BATCH", 2)
    members = [AccountFactory() for _ in range(5)]
    notify_many(items=_items(*members))

    tasks.sweep_outbox(fresh=True)

    assert len(mailoutbox) == 5
    assert set(EmailOutbox.objects.values_list("state", flat=True)) == {"sent"}
