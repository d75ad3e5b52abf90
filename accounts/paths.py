"""Today's genealogy as a materialized path: ``Account.path`` and ``Account.depth`` (business-rules §8).

An account's path is its sponsor's path followed by its own segment; a member with no sponsor (the
corporate root, a cleared member) has its segment alone and depth 0. The segment is the account
number in hex behind one character giving the hex length ("1" + "1" for number 1, "5" + "f4240" for
1,000,000): segments sort like the numbers and none is a prefix of another, so

* Y's downline is ``path > Y.path AND path < Y.path || '~'`` (every segment character sorts below
  "~"), a range on the path btree, and in tree order (each sponsor before its downline, siblings by
  number);
* "is X in Y's downline" is a comparison of two rows.

Comparisons must be bytewise: the PostgreSQL column is ``COLLATE "C"`` (migration 0016); SQLite
compares text bytewise. The segment is built from the number, known before the INSERT, so a new
account gets its path in the INSERT itself (``Account.save``). Every sponsor move rewrites the moved
subtree in one statement (``subtree_move``); bulk writers (seed_demo's COPY, load_scenario, the
migration's backfill) call ``paths_rebuild``, one recursive statement. Figures in bench/README.md.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import IntegerField, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat

LENGTHS = "0123456789abcdefg"  # hex length of a bigint is 1..16: one character each
TOP = "~"  # sorts after every segment character: the exclusive end of a subtree's range
MAX_DEPTH = 1000


def segment(number: int) -> str:
    """The path segment of account ``number``."""
    if number < 0:
        raise ValueError(f"account number {number} is negative")
    digits = format(number, "x")
    return LENGTHS[len(digits)] + digits


def subtree_end(path: str) -> str:
    return path + TOP


def segment_sql(column: str) -> str:
    """SQL for ``segment(column)`` on this backend (SQLite has printf, PostgreSQL to_hex; a test runs
    the portable ORM paths on PostgreSQL under another vendor name, so only SQLite gets printf)."""
    if connection.vendor == "sqlite":
        hexed = f"printf('%%x', {column})"
    else:
        hexed = f"to_hex({column})"
    return f"substr('{LENGTHS}', length({hexed}) + 1, 1) || {hexed}"


def _table() -> str:
    return connection.ops.quote_name(apps.get_model("accounts", "Account")._meta.db_table)


def insert_values(*, number: int, sponsor_id: int | None) -> tuple[Any, Any]:
    """Expressions for a new account's path and depth, read from its sponsor's row in the INSERT."""
    own = segment(number)
    if sponsor_id is None:
        return own, 0
    sponsor = apps.get_model("accounts", "Account").objects.filter(pk=sponsor_id)
    path = Concat(
        Coalesce(Subquery(sponsor.values("path")[:1]), Value(""), output_field=TextField()),
        Value(own, output_field=TextField()),
        output_field=TextField(),
    )
    depth = Coalesce(
        Subquery(sponsor.values("depth")[:1]) + Value(1),
        Value(0),
        output_field=IntegerField(),
    )
    return path, depth


def subtree_move(*, old_path: str, old_depth: int, number: int, new_sponsor_id: int | None) -> int:
    """Rewrite the paths of the account at ``old_path`` and everyone below it for its new sponsor
    (None: no sponsor). One statement; the new sponsor is never inside the subtree (loops are refused
    before a move). Returns the rows rewritten."""
    table = _table()
    own = segment(number)
    if new_sponsor_id is None:
        prefix, depth = "%s", "0"
        params: list[Any] = [own, len(old_path) + 1, old_depth]
    else:
        prefix = f"COALESCE((SELECT s.path FROM {table} s WHERE s.id = %s), '') || %s"
        depth = f"COALESCE((SELECT s.depth + 1 FROM {table} s WHERE s.id = %s), 0)"
        params = [new_sponsor_id, own, len(old_path) + 1, new_sponsor_id, old_depth]
    sql = (
        f"UPDATE {table} SET path = {prefix} || substr(path, %s), "  # noqa: S608 - names from _meta
        f"depth = depth + {depth} - %s WHERE path >= %s AND path < %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, old_path, subtree_end(old_path)])
        return cursor.rowcount


def paths_rebuild() -> None:
    """Recompute every account's path and depth from ``sponsor_id`` (one recursive statement).

    For bulk writers that set sponsors without the services (seed COPY, scenario load). On
    PostgreSQL the recursion runs over a narrow temporary copy of the links: joining each level with
    the whole account table read it once per level (4+ minutes at 1M accounts against 23 s).
    """
    table = _table()
    seg = segment_sql("a.number")
    links = table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            links = "genealogy_links"
            cursor.execute(f"DROP TABLE IF EXISTS {links}")
            cursor.execute(f"CREATE TEMP TABLE {links} AS SELECT id, sponsor_id, number FROM {table}")  # noqa: S608
            cursor.execute(f"CREATE INDEX ON {links} (sponsor_id)")
            cursor.execute(f"ANALYZE {links}")
            first = f'({seg})::text COLLATE "C"'
            update = (
                f"UPDATE {table} AS a SET path = tree.path, depth = tree.depth FROM tree WHERE a.id = tree.id"
            )
            changed = "(a.path IS DISTINCT FROM tree.path OR a.depth <> tree.depth)"
        else:
            first = seg
            update = f"UPDATE {table} SET path = tree.path, depth = tree.depth FROM tree WHERE {table}.id = tree.id"  # noqa: E501
            changed = f"({table}.path IS NOT tree.path OR {table}.depth <> tree.depth)"
        sql = f"""
            WITH RECURSIVE tree(id, path, depth) AS (
                SELECT a.id, {first}, 0 FROM {links} a WHERE a.sponsor_id IS NULL
                UNION ALL
                SELECT a.id, tree.path || {seg}, tree.depth + 1
                FROM {links} a JOIN tree ON a.sponsor_id = tree.id
                WHERE tree.depth < {MAX_DEPTH}
            )
            {update} AND {changed}
        """  # noqa: S608 - names from _meta
        cursor.execute(sql, [])  # with parameters, so "%%" reads as "%" on every backend
        if links != table:
            cursor.execute(f"DROP TABLE {links}")


def paths_mismatched(*, limit: int = 20) -> list[tuple[int, str, int, str, int]]:
    """Accounts whose stored path or depth differs from what the sponsor links give (the CTE's answer):
    ``(number, stored path, stored depth, expected path, expected depth)``. Empty when consistent."""
    table = _table()
    seg = segment_sql("a.number")
    sql = f"""
        WITH RECURSIVE tree(id, path, depth) AS (
            SELECT a.id, {seg}, 0 FROM {table} a WHERE a.sponsor_id IS NULL
            UNION ALL
            SELECT a.id, tree.path || {seg}, tree.depth + 1
            FROM {table} a JOIN tree ON a.sponsor_id = tree.id
            WHERE tree.depth < {MAX_DEPTH}
        )
        SELECT a.number, a.path, a.depth, tree.path, tree.depth
        FROM {table} a LEFT JOIN tree ON tree.id = a.id
        WHERE tree.id IS NULL OR a.path <> tree.path OR a.depth <> tree.depth
        ORDER BY a.number LIMIT %s
    """  # noqa: S608 - names from _meta
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [tuple(row) for row in cursor.fetchall()]  # type: ignore[misc]


# --- many moves at once (accounts.services.sponsor_change_many) -----------------------------------


def new_path_sql(*, account: str, sponsor_id: str) -> tuple[str, str]:
    """SET expressions for an account moved under ``sponsor_id`` (SQL), by its sponsor's current row."""
    table = _table()
    own = segment_sql(f"{account}.number")
    path = f"COALESCE((SELECT s.path FROM {table} s WHERE s.id = {sponsor_id}), '') || {own}"
    depth = f"COALESCE((SELECT s.depth + 1 FROM {table} s WHERE s.id = {sponsor_id}), 0)"
    return path, depth


def parents_among(account_ids: list[int]) -> list[tuple[int, str, int]]:
    """``(id, path, depth)`` of those of ``account_ids`` that have a downline (one query): the only
    moved accounts whose descendants need their paths rewritten (a lead has nobody below)."""
    if not account_ids:
        return []
    table = _table()
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT a.id, a.path, a.depth FROM {table} a WHERE a.id = ANY(%s::bigint[]) "  # noqa: S608
            f"AND EXISTS (SELECT 1 FROM {table} c WHERE c.sponsor_id = a.id)"
        )
        params: list[Any] = [list(account_ids)]
    else:
        marks = ", ".join(["%s"] * len(account_ids))
        sql = (
            f"SELECT a.id, a.path, a.depth FROM {table} a WHERE a.id IN ({marks}) "  # noqa: S608
            f"AND EXISTS (SELECT 1 FROM {table} c WHERE c.sponsor_id = a.id)"
        )
        params = list(account_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(row[0], row[1], row[2]) for row in cursor.fetchall()]


def nested(*, parents: list[tuple[int, str, int]], sponsor_ids: list[int], moved_ids: set[int]) -> bool:
    """True when a new sponsor is itself moved or sits below a moved account: then the moves must be
    applied one after the other (one query, none when nothing moved has a downline)."""
    if moved_ids & set(sponsor_ids):
        return True
    if not parents:
        return False
    table = _table()
    distinct = sorted(set(sponsor_ids))
    marks = ", ".join(["%s"] * len(distinct))
    ranges = " OR ".join(["(s.path > %s AND s.path < %s)"] * len(parents))
    sql = f"SELECT 1 FROM {table} s WHERE s.id IN ({marks}) AND ({ranges}) LIMIT 1"  # noqa: S608
    params: list[Any] = [*distinct]
    for _id, path, _depth in parents:
        params += [path, subtree_end(path)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


RANGES_PER_STATEMENT = 100


def descendants_move(parents: list[tuple[int, str, int]]) -> int:
    """After ``parents`` (id, old path, old depth) were moved, give everyone below them their new
    paths from the parents' new rows. On PostgreSQL one statement per ``RANGES_PER_STATEMENT``
    parents, one per parent on SQLite.

    PostgreSQL: the old ranges are repeated as literal ``OR``ed bounds. Joined with the parents'
    array alone, the planner cannot know how many rows a range holds (its default guess, a third of
    the table per bound, is 444k of 1M for four ranges), so it scanned the whole table and compared
    every row with every range (9.3 s for a 10k subtree, bench/README.md); with the literals it
    reads each range from the ``account_path`` index.
    """
    if not parents:
        return 0
    table = _table()
    rows = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for start in range(0, len(parents), RANGES_PER_STATEMENT):
                chunk = parents[start : start + RANGES_PER_STATEMENT]
                ranges = " OR ".join(["(d.path > %s AND d.path < %s)"] * len(chunk))
                bounds = [bound for _id, path, _depth in chunk for bound in (path, subtree_end(path))]
                cursor.execute(
                    f"UPDATE {table} AS d SET path = p.path || substr(d.path, length(o.old_path) + 1), "  # noqa: S608
                    f"depth = d.depth + p.depth - o.old_depth "
                    f"FROM unnest(%s::bigint[], %s::text[], %s::int[]) AS o(id, old_path, old_depth) "
                    f"JOIN {table} p ON p.id = o.id "
                    f'WHERE d.path > o.old_path COLLATE "C" AND d.path < (o.old_path || %s) COLLATE "C" '
                    f"AND ({ranges})",
                    [[p[0] for p in chunk], [p[1] for p in chunk], [p[2] for p in chunk], TOP, *bounds],
                )
                rows += cursor.rowcount
            return rows
        for parent_id, old_path, old_depth in parents:
            cursor.execute(
                f"UPDATE {table} SET path = (SELECT p.path FROM {table} p WHERE p.id = %s) "  # noqa: S608
                f"|| substr(path, %s), depth = depth + (SELECT p.depth FROM {table} p WHERE p.id = %s) - %s "
                f"WHERE path > %s AND path < %s",
                [parent_id, len(old_path) + 1, parent_id, old_depth, old_path, subtree_end(old_path)],
            )
            rows += cursor.rowcount
        return rows
