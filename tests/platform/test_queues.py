from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_fsm_log.models import StateLog

from plexus_office import clock
from plexus_office.platform.queues import QueueError, queue_claim, queue_release
from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE, RETURNS
from tests.factories import UserFactory
from tests.platform.queue_model import DemoRequest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.platform.urls")]


@pytest.fixture
def demo():
    # The demo model's content type and permissions are not in the migrated reference data, so
    # each test makes them inside its own transaction (and forgets cached ids afterwards).
    ContentType.objects.clear_cache()
    ct = ContentType.objects.get_for_model(DemoRequest)
    for action in ("add", "change", "delete", "view"):
        Permission.objects.get_or_create(
            content_type=ct, codename=f"{action}_demorequest", defaults={"name": f"Can {action} demo request"}
        )

    def make(**kwargs):
        kwargs.setdefault("due_on", date(2026, 3, 11))
        return DemoRequest.objects.create(**kwargs)

    yield make
    ContentType.objects.clear_cache()


def staff(group: str | None = None, *, queue_perms: bool = True, **kwargs):
    """A staff user in ``group``; ``queue_perms`` grants that group the demo queue's permissions."""
    user = UserFactory(is_staff=True, **kwargs)
    if group:
        group_obj = Group.objects.get(name=group)
        user.groups.add(group_obj)
        for codename in ("view_demorequest", "change_demorequest"):
            if queue_perms:
                group_obj.permissions.add(Permission.objects.get(codename=codename))
    return user


def test_due_date_counts_business_days_from_submission():
    assert DemoRequest.due_date_from(date(2026, 11, 25)) == date(2026, 11, 27)


def test_overdue_only_when_open_and_past_due(demo):
    item = demo(due_on=date(2026, 3, 9))
    with clock.frozen_at(date(2026, 3, 10)):
        assert item.is_overdue is True
        assert demo(due_on=date(2026, 3, 9), status="approved").is_overdue is False
        assert demo(due_on=date(2026, 3, 10)).is_overdue is False


def test_claim_makes_the_actor_assignee_and_is_audited(demo):
    item, ann = demo(), staff()
    queue_claim(item=item, actor=ann)
    item.refresh_from_db()
    assert item.assignee == ann and item.claimed_at is not None
    entry = LogEntry.objects.get()
    assert (entry.actor, entry.additional_data["action"]) == (ann, "claim")


def test_claim_held_by_someone_else_is_refused_and_nothing_changes(demo):
    item, ann, bob = demo(), staff(username="ann"), staff(username="bob")
    queue_claim(item=item, actor=ann)
    with pytest.raises(QueueError, match="already claimed by ann"):
        queue_claim(item=DemoRequest.objects.get(pk=item.pk), actor=bob)
    assert DemoRequest.objects.get(pk=item.pk).assignee == ann
    assert LogEntry.objects.count() == 1


def test_claiming_your_own_item_again_is_a_quiet_success(demo):
    item, ann = demo(), staff()
    queue_claim(item=item, actor=ann)
    queue_claim(item=item, actor=ann)
    assert LogEntry.objects.count() == 1


def test_a_closed_item_cannot_be_claimed(demo):
    item = demo()
    DemoRequest.objects.filter(pk=item.pk).update(status="approved")
    with pytest.raises(QueueError, match="already closed"):
        queue_claim(item=item, actor=staff())
    assert DemoRequest.objects.get(pk=item.pk).assignee is None


def test_release_gives_the_item_back(demo):
    item, ann = demo(), staff()
    queue_claim(item=item, actor=ann)
    queue_release(item=item, actor=ann)
    assert DemoRequest.objects.get(pk=item.pk).assignee is None


def _change_url(item):
    return reverse("admin:platform_demorequest_change", args=[item.pk])


def test_group_sees_only_its_transition_buttons(client, demo):
    item = demo()
    client.force_login(staff(CUSTOMER_SERVICE))
    page = client.get(_change_url(item)).content.decode()
    assert 'value="approve"' in page and 'value="reject"' in page
    client.force_login(staff(FINANCE))
    page = client.get(_change_url(item)).content.decode()
    assert 'value="approve"' not in page


def test_group_without_the_view_permission_does_not_see_the_queue(client, demo):
    client.force_login(staff(RETURNS, queue_perms=False))
    assert client.get(reverse("admin:platform_demorequest_changelist")).status_code == 403


def test_a_forbidden_transition_is_refused_with_a_message_not_a_500(client, demo):
    item = demo()
    client.force_login(staff(FINANCE))
    response = client.post(_change_url(item), {"_fsm_transition_to": "approve", "title": "demo"}, follow=True)
    assert response.status_code == 200
    assert "You may not approve this request." in response.content.decode()
    assert DemoRequest.objects.get(pk=item.pk).status == "requested"
    assert StateLog.objects.count() == 0


def test_an_unknown_transition_name_is_refused_with_a_message(client, demo):
    item = demo()
    client.force_login(staff(CUSTOMER_SERVICE))
    response = client.post(_change_url(item), {"_fsm_transition_to": "delete", "title": "demo"}, follow=True)
    assert response.status_code == 200
    assert "is not an action on this request" in response.content.decode()


def test_approve_records_who_from_to_and_the_decision(client, demo):
    item, ann = demo(), staff(CUSTOMER_SERVICE)
    client.force_login(ann)
    client.post(_change_url(item), {"_fsm_transition_to": "approve", "title": "demo"})
    item.refresh_from_db()
    assert (item.status, item.decided_by) == ("approved", ann)
    log = StateLog.objects.get()
    assert (log.by, log.source_state, log.state, log.transition) == (ann, "requested", "approved", "approve")


def test_reject_requires_a_note(client, demo):
    item = demo()
    client.force_login(staff(CUSTOMER_SERVICE))
    url = reverse("admin:platform_demorequest_transition", args=[item.pk, "reject"])
    response = client.post(url, {"description": "  "})
    assert "a note is required" in response.content.decode()
    assert DemoRequest.objects.get(pk=item.pk).status == "requested"


def test_reject_with_a_note_keeps_the_note_in_history(client, demo):
    item, ann = demo(), staff(CUSTOMER_SERVICE)
    client.force_login(ann)
    url = reverse("admin:platform_demorequest_transition", args=[item.pk, "reject"])
    client.post(url, {"description": "Member is active: order on 2026-03-01"})
    item.refresh_from_db()
    assert (item.status, item.decision_note) == ("rejected", "Member is active: order on 2026-03-01")
    assert StateLog.objects.get().description == "Member is active: order on 2026-03-01"
    page = client.get(_change_url(item)).content.decode()
    assert "Member is active: order on 2026-03-01" in page and "requested → rejected" in page


def test_claim_action_from_the_changelist(client, demo):
    first, second = demo(), demo()
    ann = staff(CUSTOMER_SERVICE)
    client.force_login(ann)
    client.post(
        reverse("admin:platform_demorequest_changelist"),
        {"action": "claim_selected", "_selected_action": [first.pk, second.pk]},
    )
    assert set(DemoRequest.objects.values_list("assignee", flat=True)) == {ann.pk}


def test_changelist_shows_counts_and_overdue_badge_with_a_fixed_query_count(
    client, demo, django_assert_num_queries, is_postgres
):
    for _ in range(3):
        demo(due_on=date(2026, 3, 2))
    demo(status="approved")
    client.force_login(staff(CUSTOMER_SERVICE))
    url = reverse("admin:platform_demorequest_changelist")
    with clock.frozen_at(date(2026, 3, 10)):
        client.get(url)  # warm the content-type and permission caches
        # 1 session, 2 user, 3 user's own permissions, 4 group permissions, 5 per-state counts
        # (one GROUP BY), 6 paginator count (SQLite: exact; PostgreSQL: EXPLAIN estimate, plus an
        # exact count only while the estimate is under 10,000 rows),
        # 7 page rows with the assignee joined. No count(*) of the whole table.
        with django_assert_num_queries(8 if is_postgres else 7):
            page = client.get(url + "?due=overdue").content.decode()
    assert "queue-overdue" in page
    assert "Requested</a><strong>3</strong>" in page
