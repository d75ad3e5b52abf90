from django.db import migrations

from plexus_office.platform.schedules import give_own_crontab

SCHEDULE_NAME = "leads: daily placement of due leads"


def split(apps, schema_editor):
    # The Leads run shared its 06:00 crontab row with "refunds daily": editing one moved both.
    give_own_crontab(apps, name=SCHEDULE_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0008_queue_version_and_staff_note"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(split, migrations.RunPython.noop)]
