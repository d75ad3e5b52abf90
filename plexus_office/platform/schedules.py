"""Beat schedules created by data migrations (django-celery-beat rows, editable in admin).

Idempotent: get_or_create on the schedule and on the task by name, so a migration run twice (or after
a test flush) adds nothing and never overwrites a schedule staff have edited.
"""

from __future__ import annotations

from django.conf import settings


def ensure_daily_task(
    apps, *, name: str, task: str, hour: int, minute: int = 0, description: str = ""
) -> None:
    """A task run every day at ``hour:minute`` in the project's time zone, on its own crontab row.

    Never a shared crontab row: the groups that may edit one job's time (Leads Operations) must not
    move another job (refunds daily) by editing it.
    """

    tasks = apps.get_model("django_celery_beat", "PeriodicTask").objects
    if tasks.filter(name=name).exists():
        return
    crontab = apps.get_model("django_celery_beat", "CrontabSchedule").objects.create(
        minute=str(minute),
        hour=str(hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    tasks.create(name=name, task=task, crontab=crontab, enabled=True, description=description)


def give_own_crontab(apps, *, name: str) -> None:
    """Move the task ``name`` onto a crontab row of its own if it shares one with another task."""
    tasks = apps.get_model("django_celery_beat", "PeriodicTask").objects
    row = tasks.filter(name=name, crontab__isnull=False).select_related("crontab").first()
    if row is None or not tasks.filter(crontab_id=row.crontab_id).exclude(pk=row.pk).exists():
        return
    shared = row.crontab
    shared.pk = None
    shared._state.adding = True
    shared.save()
    tasks.filter(pk=row.pk).update(crontab=shared)


def ensure_interval_task(apps, *, name: str, task: str, every_minutes: int, description: str = "") -> None:
    """A task run every ``every_minutes`` minutes."""
    interval, _ = apps.get_model("django_celery_beat", "IntervalSchedule").objects.get_or_create(
        every=every_minutes, period="minutes"
    )
    apps.get_model("django_celery_beat", "PeriodicTask").objects.get_or_create(
        name=name, defaults={"task": task, "interval": interval, "enabled": True, "description": description}
    )


def remove_task(apps, *, name: str) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()
