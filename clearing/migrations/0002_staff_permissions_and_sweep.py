from django.db import migrations

from plexus_office.platform.roles import CUSTOMER_SERVICE, grant_permissions

SWEEP_NAME = "clearing: delete cleared members' cards at the gateway (sweep)"
SWEEP_TASK = "clearing.tasks.sweep_card_deletions"


def forwards(apps, schema_editor):
    # Customer Service works the clear-request queue: see it, and press the transition buttons.
    grant_permissions(apps, CUSTOMER_SERVICE, ["clearing.view_clearrequest", "clearing.change_clearrequest"])
    # The after-commit gateway task can be lost with the broker; the sweep makes it at-least-once.
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=SWEEP_NAME,
        defaults={"task": SWEEP_TASK, "interval": every, "enabled": True,
                  "description": "Requeues card deletions of cleared members not yet confirmed by the gateway."},
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SWEEP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clearing", "0001_initial"),
        ("platform", "0001_staff_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
