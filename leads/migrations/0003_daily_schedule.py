from django.db import migrations

SCHEDULE_NAME = "leads: daily placement of due leads"
TASK = "leads.tasks.assign_leads_task"


def create_schedule(apps, schema_editor):
    # Daily at 06:00 in the project's time zone; Leads Operations edit it in admin (Periodic tasks).
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    from django.conf import settings

    six_am, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="6", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={"task": TASK, "crontab": six_am, "enabled": True,
                  "description": "Places every due lead with qualified sponsors (business rules §3)."},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0002_sponsorcorrection"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_schedule, remove_schedule)]
