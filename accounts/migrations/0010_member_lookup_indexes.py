"""Indexes for the staff member lookup (accounts/lookup.py).

The phone index is an ordinary (partial) index. The name search is ``UPPER(name) LIKE '%term%'``;
on PostgreSQL a trigram GIN index on ``UPPER(name)`` answers it without scanning the table. That
index needs the ``pg_trgm`` extension (in PostgreSQL's contrib; creating it needs a role allowed to
create extensions), and is skipped on SQLite, where tests run without it.
"""

from django.db import migrations, models


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS account_name_trgm ON accounts_account "
        "USING gin (UPPER(name) gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS account_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_team_view_permissions")]

    operations = [
        migrations.AddIndex(
            model_name="account",
            index=models.Index(
                condition=models.Q(("phone", ""), _negated=True), fields=["phone"], name="account_phone"
            ),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
    ]
