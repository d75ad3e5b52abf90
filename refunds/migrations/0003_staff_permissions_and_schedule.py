from django.db import migrations

from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE, RETURNS, grant_permissions
from plexus_office.platform.schedules import ensure_daily_task, remove_task

SCHEDULE_NAME = "refunds: daily return reminders and expiry"


def grant(apps, schema_editor):
    # Each group sees the refund queue and presses its own buttons (transition permissions decide which).
    for group in (CUSTOMER_SERVICE, RETURNS, FINANCE):
        grant_permissions(apps, group, ["refunds.view_refund", "refunds.change_refund"])
    # Finance watches the ledger side: reversals and payouts.
    grant_permissions(apps, FINANCE, ["refunds.view_bonusreversal", "refunds.view_payout"])
    grant_permissions(apps, CUSTOMER_SERVICE, ["refunds.view_bonusreversal"])


def create_schedule(apps, schema_editor):
    # Daily at 06:00 local time: reminders reach members in the morning; editable in admin.
    ensure_daily_task(
        apps,
        name=SCHEDULE_NAME,
        task="refunds.tasks.refunds_daily",
        hour=6,
        description="Refunds: remind 2 days before the return deadline; expire unshipped returns.",
    )


def remove_schedule(apps, schema_editor):
    remove_task(apps, name=SCHEDULE_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("refunds", "0002_workflow"),
        ("platform", "0001_staff_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
