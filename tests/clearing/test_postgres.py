"""PostgreSQL: roll-up and re-enrollment on the production database, and two staff clearing at once."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from accounts.models import Account, Sponsorship
from accounts.services import account_enroll
from clearing.models import ClearRequest, ClearStatus
from clearing.services import ClearProcessingError, clear_request_clear, clear_request_submit
from plexus_office import clock
from tests.clearing.conftest import build_tree
from tests.factories import TODAY

NEXT_DAY = date(2026, 3, 11)


@pytest.mark.postgres
@pytest.mark.django_db
def test_roll_up_on_postgresql_moves_direct_downline_with_history(staff):
    tree = build_tree()
    request = clear_request_submit(requester=tree.ann, member=tree.eve, actor=None, as_of=TODAY)
    with clock.frozen_at(NEXT_DAY):
        clear_request_clear(request=request, actor=staff)

    assert set(Account.objects.filter(sponsor=tree.ann).values_list("number", flat=True)) == {
        tree.bob.number,
        tree.dee.number,
        tree.ida.number,
        tree.fay.number,
        tree.hal.number,
    }
    assert Sponsorship.objects.filter(reason="clearing_roll_up", valid_to__isnull=True).count() == 2
    assert Account.objects.get(pk=tree.gus.pk).sponsor_id == tree.fay.pk


@pytest.mark.postgres
@pytest.mark.django_db
def test_set_based_roll_up_on_postgresql(staff, monkeypatch):
    tree = build_tree()
    request = clear_request_submit(requester=tree.ann, member=tree.eve, actor=None, as_of=TODAY)
    with clock.frozen_at(NEXT_DAY):
        clear_request_clear(request=request, actor=staff)

    moved = Account.objects.filter(pk__in=[tree.fay.pk, tree.hal.pk])
    assert set(moved.values_list("sponsor_id", "personally_enrolled")) == {(tree.ann.pk, False)}
    assert (
        Sponsorship.objects.filter(
            account__in=moved, end_reason="clearing_roll_up", valid_to=NEXT_DAY
        ).count()
        == 2
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_re_enrollment_with_the_same_email_on_postgresql(staff):
    tree = build_tree()
    request = clear_request_submit(requester=tree.ann, member=tree.cal, actor=None, as_of=TODAY)
    with clock.frozen_at(NEXT_DAY):
        clear_request_clear(request=request, actor=staff)
        again = account_enroll(
            kind="ambassador",
            sponsor=tree.ann,
            name="Cal Returns",
            email="cal@example.com",
            country="US",
            actor=staff,
        )

    assert Account.objects.filter(email__iexact="cal@example.com").count() == 2
    assert again.status == "active" and again.sponsor_id == tree.ann.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_clearing_at_once_clear_once(staff):
    assert connection.vendor == "postgresql"
    tree = build_tree()
    request = clear_request_submit(requester=tree.ann, member=tree.eve, actor=None, as_of=TODAY)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press_clear() -> None:
        try:
            barrier.wait()
            with clock.frozen_at(NEXT_DAY):
                clear_request_clear(request=ClearRequest.objects.get(pk=request.pk), actor=staff)
            outcomes.append("cleared")
        except ClearProcessingError as err:
            outcomes.append(f"refused: {err}")
        finally:
            connection.close()

    threads = [threading.Thread(target=press_clear) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["cleared", f"refused: request #{request.pk} is already cleared"]
    assert ClearRequest.objects.get(pk=request.pk).status == ClearStatus.CLEARED
    assert Sponsorship.objects.filter(account=tree.fay, reason="clearing_roll_up").count() == 1
    assert Sponsorship.objects.filter(account=tree.eve, end_reason="clearing").count() == 1
