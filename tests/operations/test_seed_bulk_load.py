"""seed_demo's bulk load on PostgreSQL: keys and indexes come back, and a bad row fails the seed."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Account, Sponsorship
from operations.seed.writer import Table, bulk_load, next_id
from plexus_office.platform.models import SandboxCard

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bulk_load is PostgreSQL's COPY path"),
]


def _catalog_of(table: str) -> tuple[list[str], list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass ORDER BY 1",
            [table],
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass ORDER BY 1",
            [table],
        )
        constraints = [row[0] for row in cursor.fetchall()]
    return indexes, constraints


def test_bulk_load_restores_every_index_and_key_of_the_tables():
    before = _catalog_of("accounts_sponsorship")
    root = Account.objects.get(number=1)
    with transaction.atomic(), bulk_load(Sponsorship):
        history = Table(Sponsorship, ["id", "account_id", "sponsor_id", "valid_from", "reason", "personal"])
        history.add((next_id(Sponsorship), root.pk, root.pk, date(2026, 1, 1), "enrollment", False))
        assert history.finish() == 1
    assert _catalog_of("accounts_sponsorship") == before


def test_bulk_load_row_breaking_a_foreign_key_fails_and_writes_nothing():
    before = _catalog_of("accounts_sponsorship")
    count = Sponsorship.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic(), bulk_load(Sponsorship):
        history = Table(Sponsorship, ["id", "account_id", "sponsor_id", "valid_from", "reason", "personal"])
        history.add((next_id(Sponsorship), 987_654_321, 987_654_321, date(2026, 1, 1), "enrollment", False))
        history.finish()
    assert Sponsorship.objects.count() == count
    assert _catalog_of("accounts_sponsorship") == before


def test_bulk_load_row_breaking_a_unique_constraint_fails_and_writes_nothing():
    # The unique constraint is dropped during the COPY and added back after it: the duplicate fails then.
    before = _catalog_of("platform_sandboxcard")
    count = SandboxCard.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic(), bulk_load(SandboxCard):
        cards = Table(SandboxCard, ["id", "token", "brand", "last4", "exp_month", "exp_year"])
        first = next_id(SandboxCard)
        cards.add_text(f"{first}\ttok_dup\tVisa\t4242\t12\t2030")
        cards.add_text(f"{first + 1}\ttok_dup\tVisa\t4242\t12\t2030")
        cards.finish()
    assert SandboxCard.objects.count() == count
    assert _catalog_of("platform_sandboxcard") == before
