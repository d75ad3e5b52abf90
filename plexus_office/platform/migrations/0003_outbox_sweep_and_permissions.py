from django.db import migrations

from plexus_office.platform.roles import CUSTOMER_SERVICE, grant_permissions
from plexus_office.platform.schedules import ensure_interval_task, remove_task

SWEEP_NAME = "platform: send unsent outbox emails"


def create_sweep(apps, schema_editor):
    ensure_interval_task(apps, name=SWEEP_NAME, task="plexus_office.platform.tasks.sweep_outbox", every_minutes=1)


def remove_sweep(apps, schema_editor):
    remove_task(apps, name=SWEEP_NAME)


def grant(apps, schema_editor):
    # Customer Service answers "did the member get our email?" and resends.
    grant_permissions(apps, CUSTOMER_SERVICE, ["platform.view_emailoutbox", "platform.change_emailoutbox"])


class Migration(migrations.Migration):
    dependencies = [
        ("platform", "0002_notifications_gateway"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [
        migrations.RunPython(create_sweep, remove_sweep),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
