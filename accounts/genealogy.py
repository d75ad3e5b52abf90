"""Genealogy selectors: upline, "is X in Y's downline", a page and the size of Y's downline.

Today's downline is a range of the materialized path (accounts/paths.py): one index range, in tree
order, whatever its size; the upline is the recursive CTE (accounts/genealogy_cte.py), a few ms at
any depth. Same SQL on SQLite and PostgreSQL. Figures and the alternatives measured: bench/README.md.
"""

from __future__ import annotations

from django.db import connection

from accounts.genealogy_cte import MAX_DEPTH, DownlineRow, SponsorLoopError, upline, upline_ids
from accounts.paths import TOP

__all__ = [
    "MAX_DEPTH",
    "DownlineRow",
    "SponsorLoopError",
    "downline_count",
    "downline_page",
    "is_in_downline",
    "upline",
    "upline_ids",
    "would_create_loop",
]

TABLE = "accounts_account"


def is_in_downline(*, member_id: int, upline_id: int) -> bool:
    """True when ``member_id`` sits anywhere below ``upline_id`` (never for the account itself).
    One query: two rows by primary key and a comparison of their paths."""
    if member_id == upline_id:
        return False
    sql = (
        f"SELECT 1 FROM {TABLE} m, {TABLE} u WHERE m.id = %s AND u.id = %s "  # noqa: S608 - constant
        f"AND m.path > u.path AND m.path < u.path || %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [member_id, upline_id, TOP])
        return cursor.fetchone() is not None


def would_create_loop(*, account_id: int, new_sponsor_id: int) -> bool:
    """Moving ``account_id`` under ``new_sponsor_id`` loops when the new sponsor is it or below it."""
    return new_sponsor_id == account_id or is_in_downline(member_id=new_sponsor_id, upline_id=account_id)


def downline_page(
    *, account_id: int, limit: int = 50, offset: int = 0, search: str = "", max_depth: int | None = None
) -> list[DownlineRow]:
    """A page of everyone below ``account_id`` (any depth), ordered by level then account number.

    ``search`` matches the account number exactly or the name (case-insensitive substring). One query:
    the subtree is a range of the path index (the level order sorts that range).
    """
    filters = ""
    depth_limit = MAX_DEPTH if max_depth is None else max_depth
    params: list[int | str] = []
    term = search.strip()
    if term:
        if term.isascii() and term.isdigit() and len(term) <= 18:  # an account number fits a bigint
            filters = "AND (a.number = %s OR LOWER(a.name) LIKE %s)"
            params += [int(term), f"%{term.lower()}%"]
        else:
            filters = "AND LOWER(a.name) LIKE %s"
            params.append(f"%{term.lower()}%")
    sql = f"""
        SELECT a.id, a.number, a.name, a.kind, a.status, a.depth - (SELECT depth FROM {TABLE} WHERE id = %s),
               s.number
        FROM {TABLE} a
        LEFT JOIN {TABLE} s ON s.id = a.sponsor_id
        WHERE a.path > (SELECT path FROM {TABLE} WHERE id = %s)
          AND a.path < (SELECT path || %s FROM {TABLE} WHERE id = %s)
          AND a.depth - (SELECT depth FROM {TABLE} WHERE id = %s) <= %s {filters}
        ORDER BY a.depth, a.number
        LIMIT %s OFFSET %s
    """  # noqa: S608 - filters is built from fixed fragments; values are parameters
    params = [account_id, account_id, TOP, account_id, account_id, depth_limit, *params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [DownlineRow(*row) for row in cursor.fetchall()]


def downline_count(*, account_id: int) -> int:
    """How many members sit below ``account_id`` (one query: a count over a range of the path index)."""
    # The bounds as scalar subqueries (computed once): an index range, not a join the planner may
    # turn into a scan of the whole index.
    sql = (
        f"SELECT COUNT(*) FROM {TABLE} a WHERE a.path > (SELECT path FROM {TABLE} WHERE id = %s) "  # noqa: S608
        f"AND a.path < (SELECT path || %s FROM {TABLE} WHERE id = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [account_id, TOP, account_id])
        return int(cursor.fetchone()[0])
