"""Who may use the staff workspace, and the beat schedules of its two jobs.

Every staff group finds members, reads the member page (with ``accounts.view_account``, the
account list and its "flagged" filter too) and adds contact notes. Nobody but a superuser changes
an account in the admin: members change their own data, and staff act through the queues.
"""

from django.db import migrations

from plexus_office.platform.roles import STAFF_GROUPS, grant_permissions
from plexus_office.platform.schedules import ensure_daily_task, ensure_interval_task, remove_task

METRICS = "operations: refresh dashboard figures"
DIGEST = "operations: morning escalation digest"
PERMS = ["operations.look_up_member", "operations.add_contactnote", "accounts.view_account"]


def grant(apps, schema_editor):
    for group in STAFF_GROUPS:
        grant_permissions(apps, group, PERMS)


def ungrant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=STAFF_GROUPS):
        for perm in PERMS:
            app_label, codename = perm.split(".")
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


def schedules(apps, schema_editor):
    ensure_interval_task(
        apps,
        name=METRICS,
        task="operations.tasks.dashboard_metrics_refresh_task",
        every_minutes=30,
        description="Recomputes the daily figures the admin dashboards chart (idempotent).",
    )
    # 07:00 every day; the job itself skips weekends and US federal holidays.
    ensure_daily_task(
        apps,
        name=DIGEST,
        task="operations.tasks.escalation_digest_task",
        hour=7,
        description="One digest per staff group of overdue and due-today items (once per day).",
    )


def remove_schedules(apps, schema_editor):
    remove_task(apps, name=METRICS)
    remove_task(apps, name=DIGEST)


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0001_staff_workspace"),
        ("platform", "0001_staff_groups"),
        ("accounts", "0010_member_lookup_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(grant, ungrant), migrations.RunPython(schedules, remove_schedules)]
