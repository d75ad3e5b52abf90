from django.db import migrations

SCHEDULE_NAME = "accounts: daily refresh of outdated-information flags"
TASK = "accounts.tasks.refresh_all_flags"


def create_schedule(apps, schema_editor):
    # Daily at 02:30 local time, before staff start work; editable in admin (Periodic tasks).
    from django.conf import settings

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    at_0230, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="2",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "task": TASK,
            "crontab": at_0230,
            "enabled": True,
            "description": "Flags accounts with outdated or inaccurate information (business rules §2).",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_accountflag_pendingemailchange"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_schedule, remove_schedule)]
