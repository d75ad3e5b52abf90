"""PostgreSQL writes of one Leads chunk, planned in Python and written inside the database.

The chunk's plan (lead, sponsor, listing, same country; per sponsor its snapshot) travels as a few
arrays; each table is then written by one ``INSERT ... SELECT`` from ``unnest`` of those arrays, so no
model instance is built per lead and no per-row SQL is compiled. Same rows, same transaction, same
locks as the portable ORM path in ``placement.py`` (which SQLite uses); the tests run both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, connection

from accounts.models import Account, SponsorChangeReason
from accounts.services import sponsor_change_many
from leads import notifications
from leads.models import LeadBatch, LeadPlacement, LeadRun

if TYPE_CHECKING:
    from leads.selectors import LeadRow, SponsorRow


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@contextmanager
def without_jit() -> Iterator[None]:
    """The run's statements planned without JIT compilation (PostgreSQL; nothing elsewhere).

    Their estimated costs (a million accounts, arrays of thousands of ids) pass PostgreSQL's JIT
    thresholds, and compiling took longer than it saved: 1.3-2.7 s of the qualified-sponsors read and
    45-80 ms of every chunk's notifications statement (bench/README.md). Session-wide for the run,
    then set back to what it was, so the connection is handed back as it came.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', false)")
        previous = cursor.fetchone()[0]
    try:
        yield
    finally:
        # A broken connection (the run's error) is replaced by Django; the caller sees the first error.
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('jit', %s, false)", [previous])


def write_chunk(
    *,
    batches: list[tuple[SponsorRow, list[LeadRow]]],
    run: LeadRun,
    actor: Any,
    day: date,
    half_start: date,
    now: datetime,
) -> None:
    """Batches, moves, sponsor stamps, placements and notifications of one chunk (a statement per table)."""
    sponsor_ids = [sponsor.id for sponsor, _leads in batches]
    lead_ids: list[int] = []
    lead_sponsors: list[int] = []
    listed: list[date] = []
    same: list[bool] = []
    for sponsor, leads in batches:
        for lead in leads:
            lead_ids.append(lead.id)
            lead_sponsors.append(sponsor.id)
            listed.append(lead.listed_under_2_on)
            same.append(lead.country == sponsor.country)
    accounts = _q(Account._meta.db_table)
    batch_table = _q(LeadBatch._meta.db_table)
    with connection.cursor() as cursor:
        # PostgreSQL caches the plan of each foreign-key check for the session. The first chunk's
        # commit plans the placements' check on leads_leadbatch while that table holds a few pages,
        # as a sequential scan, and every later check would scan the whole growing table (the
        # COMMITs grew from 0.6 s to 3 s per chunk, bench/README.md). Dropping the cached plans makes
        # this chunk's checks plan again for the table as it is now (an index lookup); no lock taken.
        cursor.execute("DISCARD PLANS")
        cursor.execute(
            f"INSERT INTO {batch_table} (run_id, sponsor_id, half_month_start, created_at, lead_count) "  # noqa: S608
            f"SELECT %s, s.id, %s, %s, s.n FROM unnest(%s::bigint[], %s::int[]) AS s(id, n)",
            [run.pk, half_start, now, sponsor_ids, [len(leads) for _s, leads in batches]],
        )
    # The move and its history: accounts owns it (one place for every sponsor move).
    sponsor_change_many(
        moves=list(zip(lead_ids, lead_sponsors, strict=True)),
        reason=SponsorChangeReason.LEAD_PLACEMENT,
        actor=actor,
        on=day,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {accounts} SET last_lead_batch_on = %s WHERE id = ANY(%s::bigint[])",  # noqa: S608
            [day, sponsor_ids],
        )
        cursor.execute(
            f"INSERT INTO {_q(LeadPlacement._meta.db_table)} (run_id, batch_id, lead_id, sponsor_id, "  # noqa: S608
            f"listed_under_2_on, placed_at, as_of, half_month_start, same_country, snapshot) "
            f"SELECT %s, b.id, p.lead_id, p.sponsor_id, p.listed, %s, %s, %s, p.same, s.snapshot "
            f"FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::boolean[]) "
            f"AS p(lead_id, sponsor_id, listed, same) "
            f"JOIN {batch_table} b ON b.sponsor_id = p.sponsor_id AND b.half_month_start = %s "
            f"JOIN unnest(%s::bigint[], %s::jsonb[]) AS s(id, snapshot) ON s.id = p.sponsor_id",
            [
                run.pk,
                now,
                day,
                half_start,
                lead_ids,
                lead_sponsors,
                listed,
                same,
                half_start,
                sponsor_ids,
                [json.dumps(sponsor.snapshot) for sponsor, _leads in batches],
            ],
        )
    notifications.placements_notify(batches=batches, as_of=day)
