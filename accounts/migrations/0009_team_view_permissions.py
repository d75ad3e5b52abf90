from django.db import migrations

from plexus_office.platform.roles import CUSTOMER_SERVICE, LEADS_OPERATIONS, grant_permissions


def grant(apps, schema_editor):
    # Customer Service and Leads Operations open a member's page, its sponsor history and its
    # organization (tree and downline report, read-only) to answer "was she in his downline then?".
    for group in (CUSTOMER_SERVICE, LEADS_OPERATIONS):
        grant_permissions(apps, group, ["accounts.view_account", "accounts.view_sponsorship"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_enrollment_staff_permissions"),
        ("platform", "0001_staff_groups"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
