"""PostgreSQL only: one refund per product holds for returns of several products under real races."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from plexus_office import clock
from refunds.models import Refund, RefundLine
from refunds.services import RefundRefused, refund_request
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory
from tests.refunds.conftest import TODAY

SUBMITS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_returns_sharing_a_product_accept_exactly_one(member, slim):
    others = [ProductFactory(sku=f"X{i}", price=Decimal("10.00"), pv=5) for i in range(3)]
    order = OrderFactory(ref="O-RACE", account=member, ordered_on=date(2026, 2, 20), charge_id="ch_race")
    OrderLineFactory(order=order, product=slim, qty=1, unit_price=Decimal("89.95"), pv=60)
    for product in others:
        OrderLineFactory(order=order, product=product, qty=1, unit_price=Decimal("10.00"), pv=5)
    # Every submit holds SLIM, in different company and order, so the lines race in every pattern.
    baskets = [
        [slim]
        if i % 4 == 0
        else [others[i % 3], slim]
        if i % 2
        else [slim, others[i % 3], others[(i + 1) % 3]]
        for i in range(SUBMITS)
    ]
    barrier = threading.Barrier(SUBMITS)
    accepted, refused, faults = [], [], []

    def submit(basket) -> None:
        try:
            with clock.frozen_at(TODAY):
                barrier.wait()
                accepted.append(
                    refund_request(
                        account=member, order=order, products=basket, reason="money_back", actor=member.user
                    )
                )
        except RefundRefused as refusal:
            refused.append(refusal.code)
        except Exception as exc:  # noqa: BLE001 - asserted below: no other outcome is allowed
            faults.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(basket,)) for basket in baskets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert (len(accepted), faults, sorted(set(refused))) == (1, [], ["already_refunded"])
    assert Refund.objects.count() == 1
    assert RefundLine.objects.filter(product=slim, counts=True).count() == 1
    assert RefundLine.objects.count() == len(accepted[0].lines.all())
