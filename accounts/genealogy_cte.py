"""The genealogy walked by recursive CTEs over the adjacency list (``Account.sponsor_id``).

The reference answer: the materialized path (accounts/paths.py, accounts/genealogy.py) must always
agree with it (tests/accounts/test_genealogy_paths.py), and bench/bench_team.py times both side by
side. The upline walk stays here: a few ms at any realistic depth. Same SQL on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from accounts.models import Account

# Depth guard: a corrupted loop can never make the CTE run forever.
MAX_DEPTH = 1000


class SponsorLoopError(ValueError):
    pass


def upline_ids(*, account_id: int) -> list[int]:
    """Ids from the direct sponsor up to the root, nearest first (one query)."""
    sql = """
        WITH RECURSIVE up(id, sponsor_id, depth) AS (
            SELECT id, sponsor_id, 0 FROM accounts_account WHERE id = %s
            UNION ALL
            SELECT a.id, a.sponsor_id, up.depth + 1
            FROM accounts_account a JOIN up ON a.id = up.sponsor_id
            WHERE up.depth < %s
        )
        SELECT id FROM up WHERE depth > 0 ORDER BY depth
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [account_id, MAX_DEPTH])
        return [row[0] for row in cursor.fetchall()]


def upline(*, account: Account) -> list[Account]:
    """The sponsor chain as accounts, nearest first (two queries)."""
    ids = upline_ids(account_id=account.pk)
    by_id = Account.objects.in_bulk(ids)
    return [by_id[i] for i in ids]


def is_in_downline(*, member_id: int, upline_id: int) -> bool:
    """True when ``member_id`` sits anywhere below ``upline_id`` (never for the account itself). One query."""
    if member_id == upline_id:
        return False
    sql = """
        WITH RECURSIVE up(id, sponsor_id, depth) AS (
            SELECT id, sponsor_id, 0 FROM accounts_account WHERE id = %s
            UNION ALL
            SELECT a.id, a.sponsor_id, up.depth + 1
            FROM accounts_account a JOIN up ON a.id = up.sponsor_id
            WHERE up.depth < %s AND up.id <> %s
        )
        SELECT 1 FROM up WHERE sponsor_id = %s LIMIT 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [member_id, MAX_DEPTH, upline_id, upline_id])
        return cursor.fetchone() is not None


def would_create_loop(*, account_id: int, new_sponsor_id: int) -> bool:
    """Moving ``account_id`` under ``new_sponsor_id`` loops when the new sponsor is it or below it."""
    return new_sponsor_id == account_id or is_in_downline(member_id=new_sponsor_id, upline_id=account_id)


@dataclass(frozen=True)
class DownlineRow:
    id: int
    number: int
    name: str
    kind: str
    status: str
    depth: int
    sponsor_number: int | None


def downline_page(
    *, account_id: int, limit: int = 50, offset: int = 0, search: str = "", max_depth: int | None = None
) -> list[DownlineRow]:
    """A page of everyone below ``account_id`` (any depth), ordered by depth then account number.

    ``search`` matches the account number exactly or the name (case-insensitive substring). One query.
    """
    depth_limit = MAX_DEPTH if max_depth is None else max_depth
    filters = ""
    params: list[int | str] = [account_id, depth_limit]
    term = search.strip()
    if term:
        if term.isascii() and term.isdigit() and len(term) <= 18:  # an account number fits a bigint
            filters = "AND (a.number = %s OR LOWER(a.name) LIKE %s)"
            params += [int(term), f"%{term.lower()}%"]
        else:
            filters = "AND LOWER(a.name) LIKE %s"
            params.append(f"%{term.lower()}%")
    sql = f"""
        WITH RECURSIVE down(id, depth) AS (
            SELECT id, 1 FROM accounts_account WHERE sponsor_id = %s
            UNION ALL
            SELECT a.id, down.depth + 1
            FROM accounts_account a JOIN down ON a.sponsor_id = down.id
            WHERE down.depth < %s
        )
        SELECT a.id, a.number, a.name, a.kind, a.status, down.depth, s.number
        FROM down
        JOIN accounts_account a ON a.id = down.id
        LEFT JOIN accounts_account s ON s.id = a.sponsor_id
        WHERE 1 = 1 {filters}
        ORDER BY down.depth, a.number
        LIMIT %s OFFSET %s
    """  # noqa: S608 - filters is built from fixed fragments; values are parameters
    params += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [DownlineRow(*row) for row in cursor.fetchall()]


def downline_count(*, account_id: int) -> int:
    sql = """
        WITH RECURSIVE down(id, depth) AS (
            SELECT id, 1 FROM accounts_account WHERE sponsor_id = %s
            UNION ALL
            SELECT a.id, down.depth + 1 FROM accounts_account a JOIN down ON a.sponsor_id = down.id
            WHERE down.depth < %s
        )
        SELECT COUNT(*) FROM down
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [account_id, MAX_DEPTH])
        return int(cursor.fetchone()[0])
