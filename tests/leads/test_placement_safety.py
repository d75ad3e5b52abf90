"""Safety of the placement under concurrency and crashes (the concurrency proof needs PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from django.db import connection
from django.db.models import Count

from accounts.models import Account, Sponsorship
from leads import notifications
from leads.models import LeadBatch, LeadPlacement, LeadRun
from leads.services import leads_assign, placement
from plexus_office.platform.models import EmailOutbox, InboxEntry
from tests.leads.builders import AS_OF, lead, qualified_sponsor


def _world(sponsors: int, leads: int) -> None:
    for n in range(sponsors):
        qualified_sponsor(1001 + n)
    for n in range(leads):
        lead(50001 + n, listed=date(2026, 2, 1))


def _assert_each_lead_once_and_each_sponsor_one_batch(leads: int) -> None:
    assert LeadPlacement.objects.count() == leads
    assert LeadPlacement.objects.values("lead").distinct().count() == leads
    assert not LeadBatch.objects.values("sponsor", "half_month_start").annotate(n=Count("id")).filter(n__gt=1)
    assert Account.objects.filter(number__gte=50001, sponsor__number=2).count() == 0
    # Exactly one open history period per lead, under the sponsor the placement names.
    open_periods = dict(
        Sponsorship.objects.filter(account__number__gte=50001, valid_to__isnull=True).values_list(
            "account_id", "sponsor_id"
        )
    )
    assert open_periods == dict(LeadPlacement.objects.values_list("lead_id", "sponsor_id"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_place_no_lead_twice_and_give_no_sponsor_two_batches(monkeypatch):
    _world(sponsors=12, leads=120)
    monkeypatch.setattr(placement, "CHUNK_LEADS", 10)
    real_notify = notifications.placements_notify

    def slow_notify(**kwargs):
        real_notify(**kwargs)
        time.sleep(0.02)  # widen each chunk's transaction so the two runs really overlap

    monkeypatch.setattr(notifications, "placements_notify", slow_notify)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait()
            results.append(leads_assign(as_of=AS_OF, actor=None, trigger="schedule"))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sum(len(r.placements) for r in results) == 120
    _assert_each_lead_once_and_each_sponsor_one_batch(120)
    assert LeadBatch.objects.count() == 12


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_after_its_first_chunk_leaves_leads_placed_with_record_or_still_due(monkeypatch):
    _world(sponsors=3, leads=6)
    monkeypatch.setattr(placement, "CHUNK_LEADS", 2)  # one sponsor (two leads) per transaction
    real_notify = notifications.placements_notify
    calls = []

    def crash_on_second_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        real_notify(**kwargs)

    monkeypatch.setattr(notifications, "placements_notify", crash_on_second_chunk)

    with pytest.raises(RuntimeError):
        leads_assign(as_of=AS_OF, actor=None)

    run = LeadRun.objects.get()
    # Finished with its error (issue 13: a crashed run never stays "running").
    assert (run.finished_at is not None, run.placed_count, run.error) == (
        True,
        2,
        "RuntimeError: worker killed",
    )
    assert sorted(LeadPlacement.objects.values_list("lead__number", "sponsor__number")) == [
        (50001, 1001),
        (50004, 1001),
    ]
    assert Account.objects.filter(number__gte=50001, sponsor__number=2).count() == 4
    # The committed chunk's notifications are queued: two leads and one sponsor batch.
    assert EmailOutbox.objects.filter(account__number__in=[50001, 50004, 1001]).count() == 3
    assert InboxEntry.objects.count() == 3
    assert Sponsorship.objects.filter(account__number__gte=50001, valid_to__isnull=True).count() == 6

    monkeypatch.setattr(notifications, "placements_notify", real_notify)
    second = leads_assign(as_of=AS_OF, actor=None)

    assert sorted((p.lead_number, p.sponsor_number) for p in second.placements) == [
        (50002, 1002),
        (50003, 1003),
        (50005, 1002),
        (50006, 1003),
    ]
    _assert_each_lead_once_and_each_sponsor_one_batch(6)
    assert EmailOutbox.objects.count() == 9
