from django.db import migrations

from plexus_office.platform.schedules import ensure_daily_task, remove_task

SCHEDULE_NAME = "leads: daily placement of due leads"


def create_schedule(apps, schema_editor):
    # Daily at 06:00 in the project's time zone; Leads Operations edit it in admin (Periodic tasks).
    ensure_daily_task(
        apps,
        name=SCHEDULE_NAME,
        task="leads.tasks.assign_leads_task",
        hour=6,
        description="Places every due lead with qualified sponsors (business rules §3).",
    )


def remove_schedule(apps, schema_editor):
    remove_task(apps, name=SCHEDULE_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0002_sponsorcorrection"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_schedule, remove_schedule)]
