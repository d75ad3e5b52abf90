from django.db import migrations

from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE, RETURNS, grant_permissions
from plexus_office.platform.schedules import ensure_daily_task, remove_task

CHARGE = "accounts: daily subscription charges"
PAYOUT = "accounts: monthly commission payout"


def forward(apps, schema_editor):
    ensure_daily_task(
        apps,
        name=CHARGE,
        task="accounts.tasks.charge_subscriptions",
        hour=6,
        description="Charges every subscription due today, once per subscription and month (business rules §7).",
    )
    # Daily, but it commits last month's payout only from settings.PAYOUT_DAY on and only once.
    ensure_daily_task(
        apps,
        name=PAYOUT,
        task="accounts.tasks.monthly_payout",
        hour=7,
        description="Commits last month's commission payout when Finance has not (statements emailed).",
    )
    grant_permissions(
        apps,
        FINANCE,
        [
            "accounts.view_payrun",
            "accounts.add_payrun",
            "accounts.view_statement",
            "accounts.view_subscriptioncharge",
            "accounts.view_commissionentry",
        ],
    )
    # Customer Service answers members about declined subscription charges.
    grant_permissions(apps, CUSTOMER_SERVICE, ["accounts.view_subscriptioncharge"])
    # The warehouse records carrier, tracking number and delivery of shipped orders.
    grant_permissions(
        apps, RETURNS, ["accounts.view_shipment", "accounts.add_shipment", "accounts.change_shipment"]
    )


def backward(apps, schema_editor):
    remove_task(apps, name=CHARGE)
    remove_task(apps, name=PAYOUT)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0013_autoship_orders_pay"),
        ("platform", "0001_staff_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forward, backward)]
