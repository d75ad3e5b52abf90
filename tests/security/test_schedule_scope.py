"""Leads Operations edit and run only the Leads schedule; no two jobs share a crontab row."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from plexus_office.platform.roles import LEADS_OPERATIONS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LEADS = "leads.tasks.assign_leads_task"
REFUNDS = "refunds.tasks.refunds_daily"


@pytest.fixture
def leads_ops(client):
    user = UserFactory(username="lops", is_staff=True)
    user.groups.add(Group.objects.get(name=LEADS_OPERATIONS))
    client.force_login(user)
    return user


def _task(path: str) -> PeriodicTask:
    return PeriodicTask.objects.get(task=path)


def test_every_crontab_scheduled_job_has_a_crontab_row_of_its_own():
    used = list(PeriodicTask.objects.filter(crontab__isnull=False).values_list("crontab_id", flat=True))

    assert len(used) == len(set(used)) >= 2
    assert _task(LEADS).crontab_id != _task(REFUNDS).crontab_id


def test_leads_operations_see_only_the_leads_schedule(client, leads_ops):
    page = client.get(reverse("admin:django_celery_beat_periodictask_changelist"))

    assert [t.task for t in page.context["cl"].result_list] == [LEADS]
    refunds = client.get(reverse("admin:django_celery_beat_periodictask_change", args=[_task(REFUNDS).pk]))
    assert refunds.status_code in (302, 403)


def test_leads_operations_cannot_run_or_disable_refunds_daily(client, leads_ops, monkeypatch):
    ran: list[str] = []
    monkeypatch.setattr("celery.app.task.Task.apply_async", lambda self, *a, **k: ran.append(self.name))
    url = reverse("admin:django_celery_beat_periodictask_changelist")
    refunds = _task(REFUNDS)

    for action in ("run_tasks", "disable_tasks"):
        client.post(url, {"action": action, "_selected_action": [refunds.pk]})

    refunds.refresh_from_db()
    assert (ran, refunds.enabled) == ([], True)


def test_leads_operations_run_the_leads_schedule(client, leads_ops, monkeypatch):
    ran: list[str] = []
    monkeypatch.setattr(
        "celery.app.task.Task.apply_async", lambda self, *a, **k: ran.append(self.name) or None
    )
    url = reverse("admin:django_celery_beat_periodictask_changelist")

    client.post(url, {"action": "run_tasks", "_selected_action": [_task(LEADS).pk]})

    assert ran == [LEADS]


def test_leads_operations_edit_only_when_and_whether_the_leads_run_happens(client, leads_ops):
    form = (
        client.get(reverse("admin:django_celery_beat_periodictask_change", args=[_task(LEADS).pk]))
        .context["adminform"]
        .form
    )

    assert sorted(form.fields) == ["crontab", "description", "enabled"]
    assert _task(REFUNDS).crontab_id not in {c.pk for c in form.fields["crontab"].queryset}


def test_leads_operations_cannot_edit_the_refunds_crontab(client, leads_ops):
    refunds_crontab = _task(REFUNDS).crontab

    response = client.post(
        reverse("admin:django_celery_beat_crontabschedule_change", args=[refunds_crontab.pk]),
        {"minute": "0", "hour": "1", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*",
         "timezone": "America/Phoenix"},
    )  # fmt: skip

    assert response.status_code in (302, 403)
    assert CrontabSchedule.objects.get(pk=refunds_crontab.pk).hour == refunds_crontab.hour
