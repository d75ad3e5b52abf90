"""Stages 2 and 3 of a placement, the pinned query count, the Celery task and the beat schedule."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django_celery_beat.models import PeriodicTask

from accounts.models import Account
from leads.models import LeadPlacement, LeadRun
from leads.services import leads_assign
from leads.tasks import assign_leads_task
from plexus_office.platform.models import EmailOutbox
from plexus_office.platform.outbox import outbox_send
from plexus_office.platform.selectors import inbox_page
from tests.leads.builders import AS_OF, lead, qualified_sponsor

pytestmark = pytest.mark.django_db


def test_the_lead_is_emailed_the_sponsors_contact_and_the_sponsor_gets_email_and_inbox_with_the_leads():
    qualified_sponsor(1001, name="Ann Sponsor", email="ann@example.com")
    lead(5001, listed=date(2026, 2, 1), name="Lee Lead", email="lee@example.com")

    leads_assign(as_of=AS_OF, actor=None)

    # notify_many defers rendering: emails render when sent, inbox entries when first shown.
    for row in EmailOutbox.objects.all():
        outbox_send(outbox_id=row.pk)
    to_lead = EmailOutbox.objects.get(account__number=5001)
    assert to_lead.event == "leads_new_sponsor"
    assert to_lead.subject == "Welcome to your new Plexus sponsor, Ann Sponsor"
    assert "ann@example.com" in to_lead.body_text and "+16025550100" in to_lead.body_text
    to_sponsor = EmailOutbox.objects.get(account__number=1001)
    assert to_sponsor.subject == "1 new lead placed in your downline"
    assert "Lee Lead (account 5001, US)" in to_sponsor.body_text
    assert "lee@example.com" in to_sponsor.body_html
    [inbox] = inbox_page(account=Account.objects.get(number=1001))
    assert (inbox.event, inbox.title) == ("leads_new_leads", "1 new lead placed in your downline")


def test_a_run_placing_leads_with_two_sponsors_issues_a_fixed_number_of_queries(django_assert_num_queries):
    qualified_sponsor(1001)
    qualified_sponsor(1002)
    for n in range(4):
        lead(5001 + n, listed=date(2026, 2, 1))

    ContentType.objects.clear_cache()  # the audit entry's content type lookup is counted every time
    # 1 run insert; 4 plan: orphan id, qualified sponsors, accounts under 2, loop guard;
    # 15 chunk: savepoint, lock sponsors, lock leads, insert batches, which moved leads have a downline
    # (their subtrees' genealogy paths), move leads, stamp sponsors, close periods, open periods,
    # insert placements, load recipients, 2 bulk notification inserts (inbox and
    # outbox rows for 2 sponsors and 4 leads), run counters, release;
    # 6 finish: savepoint, run update, run reload, content type, audit insert, release.
    # PostgreSQL writes inside the database (leads/services/placement_sql.py): no recipient load, and
    # inbox and outbox rows come from one INSERT ... SELECT, so 2 fewer; and 3 more: JIT off for the
    # run and set back after it, and each chunk's DISCARD PLANS (fresh foreign-key check plans).
    expected = 27 if connection.vendor == "postgresql" else 26
    with django_assert_num_queries(expected):
        result = leads_assign(as_of=AS_OF, actor=None)

    assert len(result.placements) == 4


def test_the_task_runs_the_placement_for_the_given_day_and_is_idempotent():
    qualified_sponsor(1001)
    lead(5001, listed=date(2026, 2, 1))

    first = assign_leads_task.run("2026-03-10")
    second = assign_leads_task.run("2026-03-10")

    assert (first["placed"], second["placed"]) == (1, 0)
    assert LeadPlacement.objects.count() == 1
    assert list(LeadRun.objects.values_list("trigger", flat=True)) == ["schedule", "schedule"]


def test_the_task_survives_a_killed_worker_by_redelivery():
    assert (assign_leads_task.acks_late, assign_leads_task.reject_on_worker_lost) == (True, True)


def test_a_daily_schedule_at_six_is_created_by_migration_and_editable_in_admin():
    task = PeriodicTask.objects.get(task="leads.tasks.assign_leads_task")
    assert (task.enabled, task.crontab.hour, task.crontab.minute) == (True, "6", "0")
