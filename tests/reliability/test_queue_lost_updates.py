"""Two staff on the same queue item at the same moment: one presses a transition, the other Save.

PostgreSQL, real threads, each with its own connection and its own signed-in admin client. The
transition's save is slowed (it holds the row lock a moment) on every other try so the Save's read
lands before the decision commits and its write after it: the interleaving that lost decisions.

For every queue model × transition × Save: the transition happened exactly once and the row matches
its side effects; the Save either kept its note (an audited "edit") or was refused with nothing
written. Never a row back in the source state.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_fsm_log.models import StateLog

from accounts.models import Account
from clearing import tasks
from clearing.models import ClearRequest
from clearing.services import clear_request_submit
from leads.models import SponsorCorrection
from leads.services import sponsor_correction_request
from plexus_office import clock
from plexus_office.platform.models import SandboxRefund
from refunds.models import Refund
from refunds.services import refund_authorize, refund_receive, refund_request
from tests.factories import (
    AmbassadorFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    UserFactory,
    VipCustomerFactory,
)
from tests.leads.builders import lead
from tests.refunds.conftest import paid_charge

TODAY = date(2026, 3, 10)
NEXT_DAY = date(2026, 3, 11)
TRIES = int(os.environ.get("LOST_UPDATE_TRIES", "4"))
NOTE = "called the member back"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@dataclass
class Case:
    model: type
    transition: str
    build: Callable[[int], object]
    form: dict[str, str] | None  # None: a plain button on the change page; else the transition form
    target: str
    side_effects_done: Callable[[object], bool]


def _refund(i: int, *, upto: str) -> Refund:
    member = VipCustomerFactory(user=UserFactory())
    product = ProductFactory(sku=f"SKU-{i}", price=Decimal("50.00"), pv=30)
    order = OrderFactory(ref=f"O-{i}", account=member, ordered_on=date(2026, 2, 1), shipping=Decimal("0"))
    OrderLineFactory(order=order, product=product, qty=1, unit_price=Decimal("50.00"), pv=30)
    order.charge_id = paid_charge(Decimal("50.00"), f"order-{i}")
    order.save(update_fields=["charge_id"])
    refund = refund_request(
        account=member, order=order, products=[product], reason="money_back", actor=member.user
    )
    if upto in ("authorized", "received"):
        refund = refund_authorize(refund=refund, actor=None)
    if upto == "received":
        refund = refund_receive(refund=refund, actor=None, ra_number=refund.ra_number)
    return refund


def _clear_request(i: int) -> ClearRequest:
    requester = AmbassadorFactory(membership_fee_due_on=date(2027, 1, 10))
    member = VipCustomerFactory(sponsor=requester)
    OrderFactory(account=member, ordered_on=date(2025, 1, 5))
    return clear_request_submit(requester=requester, member=member, actor=None, as_of=TODAY)


def _correction(i: int) -> SponsorCorrection:
    AmbassadorFactory(number=70_000 + i)
    member = lead(80_000 + i, listed=date(2026, 3, 1))
    return sponsor_correction_request(account=member, sponsor_number=70_000 + i, actor=None)


def _logged(obj, transition: str) -> int:
    ct = ContentType.objects.get_for_model(obj)
    return StateLog.objects.filter(content_type=ct, object_id=obj.pk, transition=transition).count()


def _refund_paid(refund) -> bool:
    paid = SandboxRefund.objects.filter(charge__charge_id=refund.order.charge_id).count()
    return bool(refund.gateway_refund_id) and refund.refunded_on is not None and paid == 1


def _member_cancelled(request) -> bool:
    return Account.objects.get(pk=request.member_id).status == "cancelled"


def _moved(correction) -> bool:
    return Account.objects.get(pk=correction.account_id).sponsor_id == correction.requested_sponsor_id


CASES = [
    Case(Refund, "authorize", lambda i: _refund(i, upto="requested"), {"description": ""}, "authorized",
         lambda r: bool(r.ra_number) and r.authorized_on is not None),
    Case(Refund, "reject", lambda i: _refund(i, upto="requested"), {"description": "not eligible"},
         "rejected", lambda r: r.decision_note == "not eligible"),
    Case(Refund, "receive", lambda i: _refund(i, upto="authorized"), {"ra_number": "RA", "description": ""},
         "received", lambda r: r.received_on is not None),
    Case(Refund, "receive_refused", lambda i: _refund(i, upto="authorized"), {"description": ""},
         "received", lambda r: r.received_on is not None),
    Case(Refund, "refund", lambda i: _refund(i, upto="received"), None, "refunded", _refund_paid),
    Case(ClearRequest, "clear", _clear_request, {"description": ""}, "cleared", _member_cancelled),
    Case(ClearRequest, "reject", _clear_request, {"description": "still active"}, "rejected",
         lambda r: not _member_cancelled(r)),
    Case(SponsorCorrection, "approve", _correction, {"description": ""}, "approved", _moved),
    Case(SponsorCorrection, "reject", _correction, {"description": "no proof"}, "rejected",
         lambda c: not _moved(c)),
]  # fmt: skip


def _admin_url(obj, view: str, *args) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk, *args])


def _client(username: str) -> Client:
    client = Client()
    client.force_login(UserFactory(username=username, is_staff=True, is_superuser=True))
    return client


def _run_together(*jobs: Callable[[], None]) -> None:
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job) -> None:
        try:
            with clock.frozen_at(NEXT_DAY):
                barrier.wait()
                job()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,), name=f"staff-{n}") for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(tasks.delete_cards_at_gateway, "delay", lambda account_id: None)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.model.__name__}-{c.transition}" for c in CASES])
def test_a_transition_and_a_colleagues_save_never_lose_a_decision(case, monkeypatch):
    deciding, saving = _client("decider"), _client("saver")
    original_save = case.model.save
    slow = {"on": False}

    def slow_save(self, *args, **kwargs):
        original_save(self, *args, **kwargs)
        if slow["on"] and threading.current_thread().name == "staff-0" and self.status == case.target:
            time.sleep(0.3)  # hold the row lock: the colleague's Save reads before, writes after

    monkeypatch.setattr(case.model, "save", slow_save)
    outcomes = {"note kept": 0, "save refused": 0, "decision refused": 0}
    rng = random.Random(13)
    for i in range(TRIES):
        with clock.frozen_at(TODAY):
            item = case.build(i)
        seen = case.model.objects.get(pk=item.pk)  # both staff rendered the page now
        seen_version, source = seen.version, seen.status
        slow["on"] = i % 2 == 0
        jitter = rng.random() * 0.05

        def decide(item=item, seen_version=seen_version) -> None:
            if case.form is None:
                deciding.post(
                    _admin_url(item, "change"),
                    {"_fsm_transition_to": case.transition, "_queue_version": str(seen_version)},
                )
            else:
                form = {k: (item.ra_number if v == "RA" else v) for k, v in case.form.items()}
                deciding.post(_admin_url(item, "transition", case.transition), form)

        def save(item=item, seen_version=seen_version, jitter=jitter) -> None:
            time.sleep(jitter)
            saving.post(
                _admin_url(item, "change"),
                {"staff_note": NOTE, "assignee": "", "_queue_version": str(seen_version), "_save": "1"},
            )

        _run_together(decide, save)

        row = case.model.objects.get(pk=item.pk)
        edits = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(row),
            object_pk=str(row.pk),
            additional_data__action="edit",
        ).count()
        # The decision: made exactly once with all its effects, or (a button pressed on a page the
        # colleague's Save made stale) refused with none. Never half, never undone.
        decision = (row.status, _logged(row, case.transition), case.side_effects_done(row))
        assert decision in ((case.target, 1, True), (source, 0, False)), f"try {i}: {decision}"
        if decision[0] == source:
            assert case.form is None and row.staff_note == NOTE, f"try {i}: nobody won"
            outcomes["decision refused"] += 1
        # The Save: either fully kept (and audited) or refused with nothing of it written.
        assert (row.staff_note == NOTE, edits) in ((True, 1), (False, 0)), f"try {i}"
        outcomes["note kept" if edits else "save refused"] += 1
    assert outcomes["note kept"] + outcomes["save refused"] == TRIES
    print(f"\n{case.model.__name__}.{case.transition} × Save, {TRIES} tries: {outcomes}")
