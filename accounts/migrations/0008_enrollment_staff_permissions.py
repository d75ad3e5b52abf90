from django.db import migrations

from plexus_office.platform.roles import CUSTOMER_SERVICE, grant_permissions


def grant(apps, schema_editor):
    # Customer Service enrolls people on the phone and sees the enrollments list.
    grant_permissions(apps, CUSTOMER_SERVICE, ["accounts.view_enrollment", "accounts.add_enrollment"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_membership_fee_reminders_schedule"),
        ("platform", "0001_staff_groups"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
