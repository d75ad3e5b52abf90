from django.db import migrations

from plexus_office.platform.roles import CUSTOMER_SERVICE, LEADS_OPERATIONS, grant_permissions


def grant(apps, schema_editor):
    # Leads Operations watch the runs and placements, see who qualifies and why, and edit the schedule.
    grant_permissions(apps, LEADS_OPERATIONS, [
        "leads.view_leadrun", "leads.view_leadbatch", "leads.view_leadplacement", "leads.view_qualifiedsponsor",
        "leads.view_sponsorcorrection",
        "django_celery_beat.view_periodictask", "django_celery_beat.change_periodictask",
        "django_celery_beat.view_crontabschedule", "django_celery_beat.add_crontabschedule",
        "django_celery_beat.change_crontabschedule",
    ])
    # Customer Service works the Sponsor Correction queue (view + the transition buttons).
    grant_permissions(apps, CUSTOMER_SERVICE, ["leads.view_sponsorcorrection", "leads.change_sponsorcorrection"])


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0004_qualifiedsponsor"),
        ("platform", "0001_staff_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
