"""Beat schedules created by data migrations (django-celery-beat rows, editable in admin).

Idempotent: get_or_create on the schedule and on the task by name, so a migration run twice (or after
a test flush) adds nothing and never overwrites a schedule staff have edited.
"""

from __future__ import annotations

from django.conf import settings


def ensure_daily_task(
    apps, *, name: str, task: str, hour: int, minute: int = 0, description: str = ""
) -> None:
    """A task run every day at ``hour:minute`` in the project's time zone."""
    crontab, _ = apps.get_model("django_celery_beat", "CrontabSchedule").objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    apps.get_model("django_celery_beat", "PeriodicTask").objects.get_or_create(
        name=name, defaults={"task": task, "crontab": crontab, "enabled": True, "description": description}
    )


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
