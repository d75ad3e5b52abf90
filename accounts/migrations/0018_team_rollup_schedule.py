from django.db import migrations

from plexus_office.platform.schedules import ensure_interval_task, remove_task

SCHEDULE_NAME = "accounts: team rollup (group volume, downline counts)"


def create_schedule(apps, schema_editor):
    # Every 30 minutes: the report shows the refresh's time; a full pass takes seconds at 1M members.
    ensure_interval_task(
        apps,
        name=SCHEDULE_NAME,
        task="accounts.tasks.refresh_team_rollup",
        every_minutes=30,
        description="Each member's group volume this month and downline counts, for the downline report.",
    )


def remove_schedule(apps, schema_editor):
    remove_task(apps, name=SCHEDULE_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0017_team_rollup"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_schedule, remove_schedule)]
