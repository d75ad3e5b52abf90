import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from plexus_office.platform.audit import SECRET_MARK, audit_history, audit_record
from plexus_office.platform.models import EmailOutbox, OutboxState
from plexus_office.platform.notifications import notify
from plexus_office.platform.roles import CUSTOMER_SERVICE
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db
EVENT = "platform/test_email"


def test_audit_record_keeps_actor_action_note_and_changes_but_hides_secrets():
    account, member = AccountFactory(), UserFactory()
    audit_record(
        actor=member,
        obj=account,
        action="card_add",
        note="added from Manage Cards",
        changes={"last4": (None, "4242"), "gateway_token": (None, "tok_abc"), "cvv": ("", "123")},
    )
    entry = LogEntry.objects.get()
    assert entry.actor == member
    assert entry.additional_data == {"action": "card_add", "note": "added from Manage Cards"}
    assert entry.changes_dict == {
        "last4": [None, "4242"],
        "gateway_token": [SECRET_MARK, SECRET_MARK],
        "cvv": [SECRET_MARK, SECRET_MARK],
    }
    assert "tok_abc" not in str(entry.__dict__) and "123" not in str(entry.changes)


def test_audit_record_refuses_a_malformed_change_and_writes_nothing():
    with pytest.raises(ValueError, match="changes"):
        audit_record(actor=None, obj=AccountFactory(), action="x", changes={"name": "only-new"})
    assert LogEntry.objects.count() == 0


def test_audit_history_lists_system_actions_newest_first():
    account = AccountFactory()
    audit_record(actor=None, obj=account, action="flag", note="first")
    audit_record(actor=None, obj=account, action="unflag", note="second")
    assert [(r["action"], r["who"], r["note"]) for r in audit_history(account)] == [
        ("unflag", "system", "second"),
        ("flag", "system", "first"),
    ]


def _cs_staff():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=CUSTOMER_SERVICE))
    return user


def test_outbox_changelist_has_a_fixed_query_count(client, django_assert_num_queries, is_postgres):
    for _ in range(5):
        notify(recipient=AccountFactory(), event=EVENT, context={"reference": 1})
    EmailOutbox.objects.filter(pk=EmailOutbox.objects.first().pk).update(state=OutboxState.FAILED)
    client.force_login(_cs_staff())
    url = reverse("admin:platform_emailoutbox_changelist")
    # 1 session, 2 user, 3 user's own permissions, 4 group permissions, 5 per-state counts of unsent
    # rows (one GROUP BY), 6 paginator count (PostgreSQL: 6a EXPLAIN estimate, 6b exact count only
    # because the estimate is small), 7 the page's rows. Same with 5 rows or 5 million.
    with django_assert_num_queries(8 if is_postgres else 7):
        page = client.get(url + "?state__exact=pending").content.decode()
    assert "Failed</a><strong>1</strong>" in page and "Pending</a><strong>4</strong>" in page


def test_resend_action_requeues_a_failed_email_and_records_who(
    client, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    row = notify(recipient=AccountFactory(), event=EVENT, context={"reference": 1}).email
    EmailOutbox.objects.filter(pk=row.pk).update(state=OutboxState.FAILED, attempts=12, last_error="550")
    staff = _cs_staff()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:platform_emailoutbox_changelist"),
            {"action": "resend", "_selected_action": [row.pk]},
        )
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxState.SENT, 1)
    assert len(mailoutbox) == 1
    assert LogEntry.objects.get().actor == staff


def test_outbox_change_page_shows_its_history(client):
    row = notify(recipient=AccountFactory(), event=EVENT, context={"reference": 1}).email
    staff = _cs_staff()
    audit_record(actor=staff, obj=row, action="resend", note="member asked")
    client.force_login(staff)
    page = client.get(reverse("admin:platform_emailoutbox_change", args=[row.pk])).content.decode()
    assert "member asked" in page
