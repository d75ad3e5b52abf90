import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import RequestFactory

from plexus_office.platform.context_processors import inbox
from plexus_office.platform.models import EmailOutbox, InboxEntry, OutboxState
from plexus_office.platform.notifications import NotificationError, notify, notify_address
from plexus_office.platform.selectors import inbox_page, inbox_unread_count
from plexus_office.platform.services import inbox_mark_read
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db
EVENT = "platform/test_email"


def test_notify_writes_inbox_entry_and_outbox_row_rendered_now():
    ann = AccountFactory(name="Ann Example", email="ann@example.com")
    result = notify(recipient=ann, event=EVENT, context={"reference": "R-1"}, link="/clearing/")
    entry = InboxEntry.objects.get()
    assert (entry.account, entry.title, entry.link) == (ann, "Plexus Office test email", "/clearing/")
    email = EmailOutbox.objects.get()
    assert (email.to_email, email.to_name, email.state) == (
        "ann@example.com",
        "Ann Example",
        OutboxState.PENDING,
    )
    assert "Hello Ann Example," in email.body_text and "Reference: R-1" in email.body_text
    assert "http://127.0.0.1:8000/clearing/" in email.body_text
    assert "<strong>R-1</strong>" in email.body_html
    assert result.email == email and result.inbox == entry


def test_send_is_queued_only_when_the_transaction_commits(
    django_capture_on_commit_callbacks, eager_celery, mailoutbox
):
    ann = AccountFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipient=ann, event=EVENT, context={"reference": "R-2"})
        assert mailoutbox == []  # nothing leaves inside the transaction
    assert len(callbacks) == 1
    assert [m.subject for m in mailoutbox] == ["Plexus Office test email"]
    assert EmailOutbox.objects.get().state == OutboxState.SENT


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_nothing(eager_celery, mailoutbox):
    ann = AccountFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipient=ann, event=EVENT, context={"reference": "R-3"})
        raise RuntimeError("the caller's change failed")
    assert mailoutbox == []
    assert EmailOutbox.objects.count() == 0
    assert InboxEntry.objects.count() == 0


def test_unknown_event_is_refused_and_nothing_written():
    with pytest.raises(NotificationError, match="event"):
        notify(recipient=AccountFactory(), event="no_such_event", context={})
    assert (InboxEntry.objects.count(), EmailOutbox.objects.count()) == (0, 0)


def test_account_without_email_gets_the_inbox_entry_only():
    result = notify(recipient=AccountFactory(email=""), event=EVENT, context={"reference": "R"})
    assert result.email is None
    assert InboxEntry.objects.count() == 1 and EmailOutbox.objects.count() == 0


def test_notify_with_the_same_key_twice_writes_once():
    ann = AccountFactory()
    notify(recipient=ann, event=EVENT, context={"reference": "R"}, key="leads-run-5-lead-9")
    notify(recipient=ann, event=EVENT, context={"reference": "R"}, key="leads-run-5-lead-9")
    assert (InboxEntry.objects.count(), EmailOutbox.objects.count()) == (1, 1)


def test_notify_address_emails_without_an_inbox():
    row = notify_address(email="new@example.com", event=EVENT, context={"reference": "R"})
    assert (row.to_email, row.account) == ("new@example.com", None)
    assert InboxEntry.objects.count() == 0


def test_notify_address_refuses_a_bad_address():
    with pytest.raises(NotificationError, match="email"):
        notify_address(email="not-an-address", event=EVENT, context={})
    assert EmailOutbox.objects.count() == 0


def test_unread_count_page_and_mark_read_are_per_account():
    ann, bob = AccountFactory(), AccountFactory()
    for i in range(3):
        notify(recipient=ann, event=EVENT, context={"reference": i})
    notify(recipient=bob, event=EVENT, context={"reference": "b"})
    ann_ids = [e.pk for e in inbox_page(account=ann, limit=2, offset=0)]
    bob_id = InboxEntry.objects.get(account=bob).pk
    assert len(ann_ids) == 2
    assert inbox_mark_read(account=ann, entry_ids=[*ann_ids, bob_id]) == 2
    assert inbox_unread_count(account=ann) == 1
    assert inbox_unread_count(account=bob) == 1  # someone else's id was ignored


def test_context_processor_gives_members_their_unread_count(django_assert_num_queries):
    user = UserFactory()
    ann = AccountFactory(user=user)
    notify(recipient=ann, event=EVENT, context={"reference": "R"})
    request = RequestFactory().get("/")
    request.user = type(user).objects.get(pk=user.pk)  # as the auth middleware loads it
    context = inbox(request)
    with django_assert_num_queries(2):  # the user's account; count of unread entries
        assert int(context["inbox_unread"]) == 1


def test_context_processor_adds_nothing_for_anonymous_visitors():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert inbox(request) == {}
