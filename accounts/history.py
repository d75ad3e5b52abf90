"""The genealogy and account status as they stood at the end of a day (business-rules §8).

The effective-dated ``Sponsorship`` rows are the history: a period ``[valid_from, valid_to)`` holds
on every day from ``valid_from`` up to the day before ``valid_to`` (a change dated D closes the old
period on D and opens the new one on D, so "as of D" already sees the new sponsor). An account is
``not_enrolled`` before ``enrolled_on``, ``cancelled`` from the day of ``cancelled_at`` (always when
that is unknown), ``active`` otherwise. The same SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, Q, Value, When
from django.utils import timezone

from accounts.models import Account, AccountStatus, Sponsorship

NOT_ENROLLED = "not_enrolled"

# Depth guard: a corrupted history can never make a walk run forever.
MAX_DEPTH = 1000


def moment_of(day: date) -> datetime:
    """The moment recorded for something that happened on ``day`` (noon local, like the frozen clock)."""
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def end_of_day(day: date) -> datetime:
    """The first moment after ``day`` (local midnight): anything before it happened on or before ``day``."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def status_on(account: Account, day: date) -> str:
    """``not_enrolled``, ``active`` or ``cancelled`` at the end of ``day`` (no query)."""
    if day < account.enrolled_on:
        return NOT_ENROLLED
    if account.status == AccountStatus.CANCELLED and (
        account.cancelled_at is None or account.cancelled_at < end_of_day(day)
    ):
        return AccountStatus.CANCELLED
    return AccountStatus.ACTIVE


def active_on_q(day: date, *, prefix: str = "") -> Q:
    """ORM filter: the account was enrolled and not cancelled at the end of ``day``."""
    return Q(**{f"{prefix}enrolled_on__lte": day}) & (
        Q(**{f"{prefix}status": AccountStatus.ACTIVE}) | Q(**{f"{prefix}cancelled_at__gte": end_of_day(day)})
    )


def status_on_expression(day: date) -> Case:
    """ORM annotation: the account's status at the end of ``day`` (``status_on`` in SQL)."""
    return Case(
        When(enrolled_on__gt=day, then=Value(NOT_ENROLLED)),
        When(
            Q(status=AccountStatus.CANCELLED)
            & (Q(cancelled_at__isnull=True) | Q(cancelled_at__lt=end_of_day(day))),
            then=Value(AccountStatus.CANCELLED.value),
        ),
        default=Value(AccountStatus.ACTIVE.value),
        output_field=CharField(),
    )


def period_on_q(day: date, *, prefix: str = "") -> Q:
    """ORM filter on ``Sponsorship``: the period holds at the end of ``day``."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def sponsor_id_on(*, account_id: int, day: date) -> int | None:
    """The sponsor's id at the end of ``day``; None when the account had none (one query)."""
    return (
        Sponsorship.objects.filter(period_on_q(day), account_id=account_id)
        .order_by("-valid_from", "-id")
        .values_list("sponsor_id", flat=True)
        .first()
    )


def _params(day: date) -> tuple[Any, Any]:
    """``day`` and its end as the backend wants them in raw SQL (SQLite stores datetimes as UTC text)."""
    return connection.ops.adapt_datefield_value(day), connection.ops.adapt_datetimefield_value(
        end_of_day(day)
    )


def _tables() -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(Account._meta.db_table), quote(Sponsorship._meta.db_table)


STATUS_SQL = (
    "CASE WHEN a.enrolled_on > %s THEN 'not_enrolled' "
    "WHEN a.status = 'cancelled' AND (a.cancelled_at IS NULL OR a.cancelled_at < %s) THEN 'cancelled' "
    "ELSE 'active' END"
)
PERIOD_SQL = "s.valid_from <= %s AND (s.valid_to IS NULL OR s.valid_to > %s)"


@dataclass(frozen=True)
class DownlineMember:
    id: int
    number: int
    name: str
    kind: str
    level: int
    sponsor_number: int
    status: str
    personal: bool
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "level": self.level,
            "sponsor": self.sponsor_number,
            "status": self.status,
            "kind": self.kind,
            "name": self.name,
        }


def downline_on(*, account: Account, day: date, max_depth: int | None = None) -> list[DownlineMember]:
    """Everyone below ``account`` at the end of ``day`` (level 1 = directly sponsored), by level then
    number. A member not enrolled that day has nobody below. One recursive query over the history."""
    if day < account.enrolled_on:
        return []
    depth_limit = MAX_DEPTH if max_depth is None else max_depth
    day_param, end_param = _params(day)
    accounts, history = _tables()
    sql = f"""
        WITH RECURSIVE down(id, sponsor_id, depth, personal, reason) AS (
            SELECT s.account_id, s.sponsor_id, 1, s.personal, s.reason FROM {history} s
            WHERE s.sponsor_id = %s AND {PERIOD_SQL}
            UNION ALL
            SELECT s.account_id, s.sponsor_id, down.depth + 1, s.personal, s.reason
            FROM {history} s JOIN down ON s.sponsor_id = down.id
            WHERE down.depth < %s AND {PERIOD_SQL}
        )
        SELECT a.id, a.number, a.name, a.kind, down.depth, sa.number, {STATUS_SQL}, down.personal, down.reason
        FROM down
        JOIN {accounts} a ON a.id = down.id
        JOIN {accounts} sa ON sa.id = down.sponsor_id
        WHERE a.enrolled_on <= %s
        ORDER BY down.depth, a.number
    """  # noqa: S608 - table names from model metadata; values are parameters
    params = [
        account.pk,
        day_param,
        day_param,
        depth_limit,
        day_param,
        day_param,
        day_param,
        end_param,
        day_param,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            DownlineMember(
                id=row[0],
                number=row[1],
                name=row[2],
                kind=row[3],
                level=row[4],
                sponsor_number=row[5],
                status=row[6],
                personal=bool(row[7]),
                reason=row[8],
            )
            for row in cursor.fetchall()
        ]


def is_in_downline_on(*, member_id: int, upline_id: int, day: date) -> bool:
    """True when ``member_id`` sat anywhere below ``upline_id`` at the end of ``day`` (never itself).

    One query: the member's upline walked through the periods holding that day.
    """
    if member_id == upline_id:
        return False
    day_param, _end = _params(day)
    _accounts, history = _tables()
    sql = f"""
        WITH RECURSIVE up(id, depth) AS (
            SELECT s.sponsor_id, 1 FROM {history} s WHERE s.account_id = %s AND {PERIOD_SQL}
            UNION ALL
            SELECT s.sponsor_id, up.depth + 1 FROM {history} s JOIN up ON s.account_id = up.id
            WHERE up.depth < %s AND up.id <> %s AND {PERIOD_SQL}
        )
        SELECT 1 FROM up WHERE id = %s LIMIT 1
    """  # noqa: S608 - table names from model metadata; values are parameters
    params = [member_id, day_param, day_param, MAX_DEPTH, upline_id, day_param, day_param, upline_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def children_on(
    *, parent_id: int, day: date, past: int | None, limit: int, descending: bool = False
) -> list[DownlineMember]:
    """Up to ``limit`` members directly under ``parent_id`` at the end of ``day``, by number, past the
    number ``past`` (above it ascending, below it descending; None: from the start): one query on the
    history's sponsor index."""
    day_param, end_param = _params(day)
    accounts, history = _tables()
    if descending:
        bound, order, value = "a.number < %s", "a.number DESC", (1 << 62) if past is None else past
    else:
        bound, order, value = "a.number > %s", "a.number", -1 if past is None else past
    sql = f"""
        SELECT a.id, a.number, a.name, a.kind, sa.number, {STATUS_SQL}, s.personal, s.reason
        FROM {history} s JOIN {accounts} a ON a.id = s.account_id JOIN {accounts} sa ON sa.id = s.sponsor_id
        WHERE s.sponsor_id = %s AND {PERIOD_SQL} AND a.enrolled_on <= %s AND {bound}
        ORDER BY {order} LIMIT %s
    """  # noqa: S608 - table names from model metadata; values are parameters
    params = [day_param, end_param, parent_id, day_param, day_param, day_param, value, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            DownlineMember(
                id=row[0],
                number=row[1],
                name=row[2],
                kind=row[3],
                level=0,
                sponsor_number=row[4],
                status=row[5],
                personal=bool(row[6]),
                reason=row[7],
            )  # fmt: skip
            for row in cursor.fetchall()
        ]


def downline_page_on(
    *, account: Account, day: date, after: list[int] | None = None, limit: int = 50
) -> list[DownlineMember]:
    """A page of ``account``'s organization at the end of ``day`` in tree order (each member followed
    by their own organization, siblings by number), starting after the member reached by the numbers
    ``after`` (from the first level down; the last row of the previous page).

    A depth-first walk of the history that stops when the page is full: its cost is the page's rows
    and their depth, not the organization's size (about one query per member shown).
    """
    if day < account.enrolled_on:
        return []
    # Frames: (parent id, level of its children, last number already shown under it).
    stack: list[tuple[int, int, int | None]] = [(account.pk, 1, None)]
    if after:
        ids = dict(Account.objects.filter(number__in=after).values_list("number", "pk"))
        if len(ids) != len(set(after)):
            raise ValueError("after: not a path of account numbers")
        stack = [(account.pk, 1, after[0])]
        for level, number in enumerate(after, start=1):
            if level < len(after):
                stack.append((ids[number], level + 1, after[level]))
        stack.append((ids[after[-1]], len(after) + 1, None))
    page: list[DownlineMember] = []
    buffered: dict[tuple[int, int | None], list[DownlineMember]] = {}
    while stack and len(page) < limit:
        parent_id, level, last = stack.pop()
        key = (parent_id, last)
        kids = buffered.pop(key, None)
        if kids is None:
            kids = children_on(parent_id=parent_id, day=day, past=last, limit=limit - len(page))
        if not kids:
            continue
        first, rest = kids[0], kids[1:]
        page.append(DownlineMember(**{**first.__dict__, "level": level}))
        if rest:
            buffered[(parent_id, first.number)] = rest
        stack.append((parent_id, level, first.number))
        stack.append((first.id, level + 1, None))
    return page
