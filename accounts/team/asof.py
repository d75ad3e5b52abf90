"""My team as it stood at the end of a past day, read from the effective-dated sponsor history a page
or a level at a time (business-rules §8; decisions: "as-of tree level and report pages").

A tree level is the sponsor's history rows valid that day (the ``(sponsor, valid_from, valid_to)``
index), each child with how many members sat *directly* below it that day (one grouped count on the
same index); the whole downline size of a past day would walk every child's subtree (6.3 s for the
big leader's level at 1M members), so it is left to today's tree.

A report page walks the history depth first in tree order and stops when the page is full: its
cost is the page's rows, not the organization. Pages are reached by keys, not numbers: "next" starts
after the numbers from the top down to the page's last row, "previous" ends before its first row
(the same walk mirrored). A past day has no count, totals or group volume (they need the whole
walk); the CSV of that day has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from accounts.history import PERIOD_SQL, STATUS_SQL, DownlineMember, _params, _tables, children_on
from accounts.models import Account

Path = tuple[int, ...]  # account numbers from the first level down to a member


class BadKey(ValueError):
    """A page key that is not a member's place in the organization on that day."""


def parse_key(raw: str) -> Path | None:
    """``"2001-3002"`` → (2001, 3002); empty → None; anything else raises ``BadKey``."""
    text = (raw or "").strip()
    if not text:
        return None
    parts = text.split("-")
    if len(parts) > 1000 or not all(p.isdigit() and len(p) <= 18 for p in parts):
        raise BadKey(text)
    return tuple(int(p) for p in parts)


def key_of(path: Path) -> str:
    return "-".join(str(n) for n in path)


def _chain(*, root: Account, day: date, path: Path) -> list[DownlineMember]:
    """The members on ``path`` with their level, checked to be a chain of sponsors below ``root`` on
    ``day`` (one query); ``BadKey`` when it is not."""
    day_param, end_param = _params(day)
    accounts, history = _tables()
    marks = ", ".join(["%s"] * len(set(path)))
    sql = f"""
        SELECT a.id, a.number, a.name, a.kind, sa.number, {STATUS_SQL}, s.personal, s.reason, s.sponsor_id
        FROM {accounts} a JOIN {history} s ON s.account_id = a.id JOIN {accounts} sa ON sa.id = s.sponsor_id
        WHERE a.number IN ({marks}) AND {PERIOD_SQL} AND a.enrolled_on <= %s
    """  # noqa: S608 - placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, [day_param, end_param, *sorted(set(path)), day_param, day_param, day_param])
        found = {row[1]: row for row in cursor.fetchall()}
    chain, parent_id = [], root.pk
    for level, number in enumerate(path, start=1):
        row = found.get(number)
        if row is None or row[8] != parent_id:
            raise BadKey(key_of(path))
        chain.append(
            DownlineMember(
                id=row[0],
                number=row[1],
                name=row[2],
                kind=row[3],
                level=level,
                sponsor_number=row[4],
                status=row[5],
                personal=bool(row[6]),
                reason=row[7],
            )  # fmt: skip
        )
        parent_id = row[0]
    return chain


@dataclass(frozen=True)
class Page:
    rows: list[tuple[DownlineMember, Path]]
    has_previous: bool
    has_next: bool

    @property
    def previous_key(self) -> str:
        return key_of(self.rows[0][1]) if self.rows and self.has_previous else ""

    @property
    def next_key(self) -> str:
        return key_of(self.rows[-1][1]) if self.rows and self.has_next else ""


def page_on(*, root: Account, day: date, after: Path | None = None, before: Path | None = None,
            limit: int = 50) -> Page:  # fmt: skip
    """A page of ``root``'s organization at the end of ``day`` in tree order (each member followed by
    their own organization, siblings by number): the first, the one after ``after`` or the one before
    ``before`` (paths of numbers from the first level). About one query per row shown."""
    if day < root.enrolled_on:
        return Page([], False, False)
    if before is not None:
        rows = _backward(root=root, day=day, before=before, limit=limit + 1)
        if len(rows) <= limit:  # reached the top: the first page
            return page_on(root=root, day=day, limit=limit)
        return Page(rows[:limit][::-1], True, True)
    rows = _forward(root=root, day=day, after=after, limit=limit + 1)
    return Page(rows[:limit], after is not None, len(rows) > limit)


def _forward(
    *, root: Account, day: date, after: Path | None, limit: int
) -> list[tuple[DownlineMember, Path]]:
    # Frames: (parent id, level of its children, last number shown under it, the parent's path).
    stack: list[tuple[int, int, int | None, Path]] = [(root.pk, 1, None, ())]
    if after:
        chain = _chain(root=root, day=day, path=after)
        stack = [(root.pk, 1, after[0], ())]
        for i, member in enumerate(chain[:-1]):
            stack.append((member.id, i + 2, after[i + 1], after[: i + 1]))
        stack.append((chain[-1].id, len(after) + 1, None, after))
    page: list[tuple[DownlineMember, Path]] = []
    buffered: dict[tuple[int, int | None], list[DownlineMember]] = {}
    while stack and len(page) < limit:
        parent_id, level, last, parent_path = stack.pop()
        kids = buffered.pop((parent_id, last), None)
        if kids is None:
            kids = children_on(parent_id=parent_id, day=day, past=last, limit=limit - len(page))
        if not kids:
            continue
        first, rest = kids[0], kids[1:]
        path = (*parent_path, first.number)
        page.append((DownlineMember(**{**first.__dict__, "level": level}), path))
        if rest:
            buffered[(parent_id, first.number)] = rest
        stack.append((parent_id, level, first.number, parent_path))
        stack.append((first.id, level + 1, None, path))
    return page


def _backward(*, root: Account, day: date, before: Path, limit: int) -> list[tuple[DownlineMember, Path]]:
    """Up to ``limit`` members just before ``before`` in tree order, nearest first: tree order
    mirrored (siblings by number descending, each member after its own organization)."""
    chain = _chain(root=root, day=day, path=before)
    # Frames: ("rev", parent id, level, below this number, parent's path) lists the members under a
    # parent before a number, mirrored; ("emit", member, path) shows a member.
    stack: list[tuple[Any, ...]] = [("rev", root.pk, 1, before[0], ())]
    for i, member in enumerate(chain[:-1]):
        stack.append(("emit", member, before[: i + 1]))
        stack.append(("rev", member.id, i + 2, before[i + 1], before[: i + 1]))
    out: list[tuple[DownlineMember, Path]] = []
    buffered: dict[tuple[int, int | None], list[DownlineMember]] = {}
    while stack and len(out) < limit:
        frame = stack.pop()
        if frame[0] == "emit":
            out.append((frame[1], frame[2]))
            continue
        _rev, parent_id, level, below, parent_path = frame
        kids = buffered.pop((parent_id, below), None)
        if kids is None:
            kids = children_on(
                parent_id=parent_id, day=day, past=below, limit=limit - len(out), descending=True
            )
        if not kids:
            continue
        last, rest = kids[0], kids[1:]
        path = (*parent_path, last.number)
        if rest:
            buffered[(parent_id, last.number)] = rest
        stack.append(("rev", parent_id, level, last.number, parent_path))
        stack.append(("emit", DownlineMember(**{**last.__dict__, "level": level}), path))
        stack.append(("rev", last.id, level + 1, None, path))
    return out


def children_on_day(*, parent_id: int, day: date) -> list[tuple[Any, ...]]:
    """The members directly under ``parent_id`` at the end of ``day`` with the facts a tree node shows,
    in ``today.children_today``'s row shape; the size is how many sat directly below each that day,
    with no rollup time (one query: the children by their period on the sponsor index, and per
    child index lookups for its last order and fee paid by then and its direct members)."""
    day_param, end_param = _params(day)
    accounts, history = _tables()
    sql = f"""
        SELECT a.id, a.number, a.name, a.kind, a.title_rank, {STATUS_SQL}, a.cancelled_at, s.reason,
               s.personal, a.membership_fee_due_on, COALESCE(sub.status, 'none'),
               (SELECT MAX(o.ordered_on) FROM accounts_order o
                 WHERE o.account_id = a.id AND o.ordered_on <= %s),
               (SELECT MAX(f.paid_on) FROM accounts_membershipfeepayment f
                 WHERE f.account_id = a.id AND f.paid_on <= %s),
               (SELECT COUNT(*) FROM {history} k JOIN {accounts} ka ON ka.id = k.account_id
                 WHERE k.sponsor_id = a.id AND k.valid_from <= %s AND (k.valid_to IS NULL OR k.valid_to > %s)
                   AND ka.enrolled_on <= %s),
               NULL
        FROM {history} s JOIN {accounts} a ON a.id = s.account_id
        LEFT JOIN accounts_subscription sub ON sub.account_id = a.id
        WHERE s.sponsor_id = %s AND {PERIOD_SQL} AND a.enrolled_on <= %s
        ORDER BY a.number
    """  # noqa: S608 - table names from model metadata; values are parameters
    params = [day_param, end_param, day_param, day_param, day_param, day_param, day_param, parent_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, day_param, day_param, day_param])
        return list(cursor.fetchall())
