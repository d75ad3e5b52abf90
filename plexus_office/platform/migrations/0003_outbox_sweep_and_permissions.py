from django.db import migrations

from plexus_office.platform.roles import CUSTOMER_SERVICE, grant_permissions

SWEEP_NAME = "platform: send unsent outbox emails"
SWEEP_TASK = "plexus_office.platform.tasks.sweep_outbox"


def create_sweep(apps, schema_editor):
    # get_or_create on both rows: running the migration again (or after a flush) adds nothing.
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=SWEEP_NAME,
        defaults={"task": SWEEP_TASK, "interval": every_minute, "enabled": True},
    )


def remove_sweep(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SWEEP_NAME).delete()


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
