from django.db import migrations

from plexus_office.platform.schedules import ensure_daily_task, remove_task

SCHEDULE_NAME = "accounts: daily refresh of outdated-information flags"


def create_schedule(apps, schema_editor):
    # Daily at 02:30 local time, before staff start work; editable in admin (Periodic tasks).
    ensure_daily_task(
        apps,
        name=SCHEDULE_NAME,
        task="accounts.tasks.refresh_all_flags",
        hour=2,
        minute=30,
        description="Flags accounts with outdated or inaccurate information (business rules §2).",
    )


def remove_schedule(apps, schema_editor):
    remove_task(apps, name=SCHEDULE_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_accountflag_pendingemailchange"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_schedule, remove_schedule)]
