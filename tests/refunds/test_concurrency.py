"""PostgreSQL only: races that only real concurrent connections can show."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from plexus_office import clock
from plexus_office.platform.models import SandboxRefund
from refunds.models import Refund, RefundStatus
from refunds.payments import refund_pay
from refunds.services import RefundRefused, refund_authorize, refund_receive, refund_request
from tests.refunds.conftest import TODAY


def _together(target, n: int = 2) -> tuple[list, list]:
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run() -> None:
        try:
            with clock.frozen_at(TODAY):  # the frozen day is per thread (a context variable)
                barrier.wait()
                results.append(target())
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_for_the_same_product_make_one_refund(member, order, slim):
    results, errors = _together(
        lambda: refund_request(
            account=member, order=order, products=[slim], reason="money_back", actor=member.user
        )
    )
    assert (len(results), len(errors)) == (1, 1)
    assert isinstance(errors[0], RefundRefused) and errors[0].code == "already_refunded"
    assert Refund.objects.filter(account=member, lines__product=slim).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_refund_clicks_pay_once(member, order, slim, cs_user, returns_user, finance_user):
    refund = refund_request(
        account=member, order=order, products=[slim], reason="money_back", actor=member.user
    )
    refund = refund_authorize(refund=refund, actor=cs_user)
    refund_receive(refund=refund, actor=returns_user, ra_number=refund.ra_number)
    results, errors = _together(
        lambda: refund_pay(refund=Refund.objects.get(pk=refund.pk), actor=finance_user)
    )
    # The second click either finds it paid or is told it is being paid; never a second payment.
    assert all(isinstance(e, RefundRefused) and "being paid" in str(e) for e in errors)
    assert {r.status for r in results} == {RefundStatus.REFUNDED}
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.REFUNDED
    assert SandboxRefund.objects.filter(charge__charge_id=order.charge_id).count() == 1
