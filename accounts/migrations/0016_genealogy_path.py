"""Today's genealogy as a materialized path (accounts/paths.py): the columns, the bytewise collation on
PostgreSQL, one set-based backfill from the sponsor links, then the index (built once, after the
backfill, rather than maintained row by row during it)."""

from django.db import migrations, models

LENGTHS = "0123456789abcdefg"


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    table = connection.ops.quote_name(apps.get_model("accounts", "Account")._meta.db_table)
    if connection.vendor == "postgresql":
        hexed, cast = "to_hex(a.number)", '::text COLLATE "C"'
        update = (
            f"UPDATE {table} AS a SET path = tree.path, depth = tree.depth FROM tree WHERE a.id = tree.id"
        )
    else:
        hexed, cast = "printf('%x', a.number)", ""
        update = f"UPDATE {table} SET path = tree.path, depth = tree.depth FROM tree WHERE {table}.id = tree.id"
    seg = f"substr('{LENGTHS}', length({hexed}) + 1, 1) || {hexed}"
    links = table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The recursion joins each level with every account: over a narrow copy of the links it
            # reads 40 MB per level instead of the whole account table (23 s instead of 4+ min at 1M).
            links = "genealogy_links"
            cursor.execute(f"CREATE TEMP TABLE {links} AS SELECT id, sponsor_id, number FROM {table}")
            cursor.execute(f"CREATE INDEX ON {links} (sponsor_id)")
            cursor.execute(f"ANALYZE {links}")
        cursor.execute(f"""
            WITH RECURSIVE tree(id, path, depth) AS (
                SELECT a.id, ({seg}){cast}, 0 FROM {links} a WHERE a.sponsor_id IS NULL
                UNION ALL
                SELECT a.id, tree.path || {seg}, tree.depth + 1
                FROM {links} a JOIN tree ON a.sponsor_id = tree.id WHERE tree.depth < 1000
            )
            {update}
        """)
        if links != table:
            cursor.execute(f"DROP TABLE {links}")


def collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE accounts_account ALTER COLUMN path TYPE text COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [("accounts", "0015_preferred_language")]

    operations = [
        migrations.AddField(
            model_name="account",
            name="depth",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="account",
            name="path",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(collation, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="account",
            index=models.Index(fields=["path"], name="account_path"),
        ),
    ]
