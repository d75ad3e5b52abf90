"""The staff lookup's ``lower(email)`` index covers only the accounts that ``account_email_unique_live``
leaves out (cancelled, no email): the whole-table index repeated the unique one for every live account,
and each sponsor move or path rewrite inserted into both (bench/README.md, "Clearing roll-up").

The whole-table index also gave PostgreSQL its statistics on ``lower(email)`` (partial indexes give
none): without them an email lookup was planned for ~5,000 rows, a parallel sort (21 ms instead of
0.2 ms). An expression statistics object keeps them at no cost to writes.

Numbered 0020: 0019 is another change's; when both are on one branch this one follows 0019."""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE STATISTICS IF NOT EXISTS account_email_lower_stats ON (lower(email)) FROM accounts_account"
        )
        schema_editor.execute("ANALYZE accounts_account")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS account_email_lower_stats")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0019_team_rollup_facts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The new index first, so an email lookup always has an index in between.
        migrations.AddIndex(
            model_name="account",
            index=models.Index(
                django.db.models.functions.text.Lower("email"),
                condition=models.Q(("status", "active"), models.Q(("email", ""), _negated=True), _negated=True),
                name="account_email_lower_other",
            ),
        ),
        migrations.RemoveIndex(model_name="account", name="account_email_lower"),
        migrations.RunPython(create_statistics, drop_statistics, elidable=False),
    ]
