"""PostgreSQL writes the Leads run inside the database; the rows must be the portable path's rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction

from accounts.models import Account, Sponsorship
from leads.models import LeadBatch, LeadPlacement, LeadRun
from leads.selectors import build_plan
from leads.services import leads_assign, placement
from plexus_office.platform.models import EmailOutbox, InboxEntry
from tests.leads.builders import AS_OF, lead, qualified_sponsor


class _RolledBack(Exception):
    pass


def _world() -> None:
    qualified_sponsor(1001)
    qualified_sponsor(1002, country="CA")
    qualified_sponsor(1003, last_lead_batch_on=date(2026, 2, 20))
    for n in range(5):
        lead(50001 + n, listed=date(2026, 2, 1), email=f"lead{n}@example.com")
    lead(50010, listed=date(2026, 2, 2), country="CA", email="")  # no address: inbox only
    lead(50011, listed=date(2026, 3, 5))  # not due


def _rows() -> dict[str, Any]:
    """Everything a run writes, without ids and wall-clock times."""
    leads = Account.objects.filter(number__gte=50001)
    return {
        "run": list(
            LeadRun.objects.values_list("placed_count", "batch_count", "due_count", "unplaced_count")
        ),
        "batches": sorted(LeadBatch.objects.values_list("sponsor__number", "half_month_start", "lead_count")),
        "placements": sorted(
            LeadPlacement.objects.values_list(
                "lead__number",
                "sponsor__number",
                "listed_under_2_on",
                "as_of",
                "half_month_start",
                "same_country",
                "snapshot",
            )
        ),
        "accounts": sorted(
            leads.values_list("number", "sponsor__number", "listed_under_2_on", "personally_enrolled")
        )
        + sorted(
            Account.objects.filter(number__in=[1001, 1002, 1003]).values_list("number", "last_lead_batch_on")
        ),
        "history": sorted(
            Sponsorship.objects.filter(account__in=leads).values_list(
                "account__number",
                "sponsor__number",
                "valid_from",
                "valid_to",
                "reason",
                "end_reason",
                "personal",
                "created_by",
            ),
            key=repr,
        ),
        "inbox": sorted(
            InboxEntry.objects.values_list(
                "account__number", "event", "title", "body", "link", "context", "read_at"
            ),
            key=repr,
        ),
        "outbox": sorted(
            EmailOutbox.objects.values_list(
                "account__number",
                "to_email",
                "to_name",
                "event",
                "subject",
                "body_text",
                "body_html",
                "context",
                "state",
                "attempts",
                "last_error",
            ),
            key=repr,
        ),
        "keys": {len(key) for key in EmailOutbox.objects.values_list("key", flat=True)},
    }


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_written_run_writes_exactly_the_rows_of_the_portable_path(monkeypatch):
    _world()
    portable: dict[str, Any] = {}
    with monkeypatch.context() as patch:
        # Every vendor switch of the run (placement, sponsor move, notifications) takes the ORM path.
        patch.setattr(connection, "vendor", "portable")
        try:
            with transaction.atomic():
                leads_assign(as_of=AS_OF, actor=None)
                portable.update(_rows())
                raise _RolledBack
        except _RolledBack:
            pass
    assert connection.vendor == "postgresql" and not LeadPlacement.objects.exists()

    leads_assign(as_of=AS_OF, actor=None)

    in_database = _rows()
    assert len(in_database["placements"]) == 6
    assert in_database["keys"] == {32}
    assert in_database == portable


def _jit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_run_plans_without_jit_and_hands_the_connection_back_as_it_was(monkeypatch):
    _world()
    during: list[str] = []

    def build_plan_noting_jit(*, as_of: date) -> Any:
        during.append(_jit())
        return build_plan(as_of=as_of)

    monkeypatch.setattr(placement, "build_plan", build_plan_noting_jit)
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")  # not the server's default here: the run must restore this value
    before = _jit()

    leads_assign(as_of=AS_OF, actor=None)

    assert (before, during, _jit()) == ("on", ["off"], "on")


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_failed_run_also_hands_the_connection_back_with_jit_as_it_was(monkeypatch):
    _world()
    before = _jit()

    def failing_plan(*, as_of: date) -> Any:
        raise RuntimeError("planner down")

    monkeypatch.setattr(placement, "build_plan", failing_plan)

    with pytest.raises(RuntimeError, match="planner down"):
        leads_assign(as_of=AS_OF, actor=None)

    assert _jit() == before
    assert LeadRun.objects.get().error == "RuntimeError: planner down"
