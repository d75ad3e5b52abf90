from django.db import migrations

from plexus_office.platform.roles import CUSTOMER_SERVICE, grant_permissions
from plexus_office.platform.schedules import ensure_interval_task, remove_task

SWEEP_NAME = "clearing: delete cleared members' cards at the gateway (sweep)"


def forwards(apps, schema_editor):
    # Customer Service works the clear-request queue: see it, and press the transition buttons.
    grant_permissions(apps, CUSTOMER_SERVICE, ["clearing.view_clearrequest", "clearing.change_clearrequest"])
    # The after-commit gateway task can be lost with the broker; the sweep makes it at-least-once.
    ensure_interval_task(
        apps,
        name=SWEEP_NAME,
        task="clearing.tasks.sweep_card_deletions",
        every_minutes=15,
        description="Requeues card deletions of cleared members not yet confirmed by the gateway.",
    )


def backwards(apps, schema_editor):
    remove_task(apps, name=SWEEP_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("clearing", "0001_initial"),
        ("platform", "0001_staff_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
