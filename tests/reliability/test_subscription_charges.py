"""The subscription charge job under two concurrent runs, a killed worker, and a lost write after a charge.

Each subscription due is charged exactly once a month: no double charge and none skipped.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count

from accounts.models import Order, Subscription
from accounts.models_billing import SubscriptionCharge
from accounts.subscriptions.charging import subscription_charges_run
from accounts.tasks import charge_subscriptions
from plexus_office import clock
from plexus_office.platform.gateway import SandboxGateway
from plexus_office.platform.models import EmailOutbox, OutboxState, SandboxCharge
from tests.accounts.billing_builders import DECLINES, subscriber
from tests.reliability.conftest import wait_until
from tests.reliability.test_worker_killed import _backend_alive, _lock_connection, redis_broker  # noqa: F401

DAY = date(2026, 3, 10)


def _assert_each_charged_once(numbers: list[int]) -> None:
    assert SandboxCharge.objects.count() == len(numbers)
    assert SandboxCharge.objects.values("idempotency_key").distinct().count() == len(numbers)
    assert sorted(Order.objects.values_list("account__number", flat=True)) == numbers
    assert (
        not SubscriptionCharge.objects.values("subscription", "month").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert set(SubscriptionCharge.objects.values_list("status", flat=True)) == {"paid"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_charge_each_subscription_once(monkeypatch):
    good = [9001 + n for n in range(30)]
    for number in good:
        subscriber(number, next_charge_on=DAY)
    declined = [9101 + n for n in range(6)]
    for number in declined:
        subscriber(number, next_charge_on=DAY, card_number=DECLINES)
    real_charge = SandboxGateway.charge

    def slow_charge(self, **kwargs):
        time.sleep(0.01)  # a gateway round trip: the two runs' chunks really overlap
        return real_charge(self, **kwargs)

    monkeypatch.setattr(SandboxGateway, "charge", slow_charge)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait()
            with clock.frozen_at(DAY):
                results.append(subscription_charges_run(chunk=4))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert errors == []
    assert sum(r.get("paid", 0) for r in results) == 30
    assert sum(r.get("declined", 0) for r in results) == 6
    assert sum(r["scheduled"] for r in results) == 36
    paid = SubscriptionCharge.objects.filter(status="paid")
    assert sorted(paid.values_list("account__number", flat=True)) == good
    assert SandboxCharge.objects.count() == 30
    assert SandboxCharge.objects.values("idempotency_key").distinct().count() == 30
    # Each declined month was tried once (not once per run) and waits for day 3.
    assert set(SubscriptionCharge.objects.filter(status="declined").values_list("attempts", flat=True)) == {1}
    assert EmailOutbox.objects.filter(event="accounts_subscription_declined").count() == 6
    assert EmailOutbox.objects.filter(event="accounts_order_confirmation").count() == 30
    assert Subscription.objects.filter(next_charge_on=date(2026, 4, 10)).count() == 36


@pytest.mark.django_db
def test_a_charge_made_before_a_crash_is_found_again_by_its_key_not_made_twice():
    """A real gateway keeps a charge even when our transaction was lost: the retry gets it back."""
    account = subscriber(9201, next_charge_on=DAY)
    subscription = Subscription.objects.get(account=account)
    earlier = SandboxCharge.objects.create(
        charge_id="ch_before_the_crash",
        token=subscription.card.token,
        amount=Decimal("139.90"),
        idempotency_key=f"subscription-{subscription.pk}-2026-03",
    )

    with clock.frozen_at(DAY):
        assert subscription_charges_run() == {"scheduled": 1, "paid": 1}

    assert SandboxCharge.objects.get() == earlier
    assert Order.objects.get(account=account).charge_id == "ch_before_the_crash"


def _waiting_on_order_lines(cur) -> int | None:
    cur.execute("SELECT pid FROM pg_locks WHERE relation = 'accounts_orderline'::regclass AND NOT granted")
    row = cur.fetchone()
    return row[0] if row else None


@pytest.mark.postgres
def test_a_worker_killed_mid_chunk_is_redelivered_and_charges_each_subscription_once(
    transactional_db,
    redis_broker,  # noqa: F811 - the fixture imported above
    smtp_server,
    celery_workers,
):
    today = clock.today()
    numbers = [9301 + n for n in range(5)]
    for number in numbers:
        subscriber(number, next_charge_on=today)
    worker = celery_workers(email_port=smtp_server.port)

    locker = _lock_connection()
    try:
        with locker.cursor() as cur:
            # The chunk's transaction (rows locked, gateway charged, orders written) blocks on its lines.
            cur.execute("LOCK TABLE accounts_orderline IN EXCLUSIVE MODE")
            charge_subscriptions.apply_async(args=[today.isoformat()])
            blocked = wait_until(lambda: _waiting_on_order_lines(cur), timeout=90, what="the chunk to block")
            assert Order.objects.count() == 0
            worker.kill_child()
        locker.commit()
        locker.autocommit = True
        with locker.cursor() as cur:
            wait_until(lambda: not _backend_alive(cur, blocked), timeout=30, what="the orphan to roll back")
    finally:
        locker.close()

    wait_until(
        lambda: (
            Order.objects.count() == len(numbers)
            and EmailOutbox.objects.exclude(state=OutboxState.SENT).count() == 0
            and len(smtp_server.handler.messages) >= len(numbers)
        ),
        timeout=90,
        what="every subscription charged and confirmed",
    )
    _assert_each_charged_once(numbers)
    assert EmailOutbox.objects.filter(event="accounts_order_confirmation").count() == len(numbers)
    assert set(smtp_server.handler.per_message_id().values()) == {1}
    assert "WorkerLostError" in worker.output()
