from django.db import migrations

from plexus_office.platform.schedules import ensure_daily_task, remove_task

SCHEDULE_NAME = "accounts: membership fee reminders (30 days before, overdue)"


def create_schedule(apps, schema_editor):
    # Daily at 07:00 local time, so reminders arrive in the morning; editable in admin (Periodic tasks).
    ensure_daily_task(
        apps,
        name=SCHEDULE_NAME,
        task="accounts.tasks.send_membership_fee_reminders",
        hour=7,
        minute=0,
        description="Membership fee reminders 30 days before the due date and when overdue (business rules §7).",
    )


def remove_schedule(apps, schema_editor):
    remove_task(apps, name=SCHEDULE_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_enrollment_and_fee_receipts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_schedule, remove_schedule)]
