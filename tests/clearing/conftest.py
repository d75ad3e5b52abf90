"""A small genealogy as of 2026-03-10 (a Tuesday):

root(1) ── ann (ambassador, requester, fee due 2027-01-10)
             ├── bob (ambassador, fee due 2027-01-01, active)
             │     └── cal (VIP customer, last order 2025-03-09: inactive by one day)
             ├── dee (VIP customer, last order 2025-03-10: active on the boundary)
             ├── eve (ambassador, fee due 2025-09-10, last order 2025-09-09: inactive)
             │     ├── fay (VIP customer, personally enrolled by eve)
             │     │     └── gus (VIP customer)
             │     └── hal (ambassador placed with eve by the Leads program)
             └── ida (ambassador, fee due 2025-06-01, ordered 2026-01-05: neither)
root(1) ── out (VIP customer outside ann's downline, no orders: inactive)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from accounts.models import Account
from clearing import tasks
from plexus_office import clock
from plexus_office.platform.roles import CUSTOMER_SERVICE
from tests.factories import (
    TODAY,
    AmbassadorFactory,
    OrderFactory,
    SavedCardFactory,
    StaffUserFactory,
    SubscriptionFactory,
    UserFactory,
    VipCustomerFactory,
)


@dataclass
class Tree:
    ann: Account
    bob: Account
    cal: Account
    dee: Account
    eve: Account
    fay: Account
    gus: Account
    hal: Account
    ida: Account
    out: Account


def build_tree() -> Tree:
    ann = AmbassadorFactory(
        name="Ann Upline", membership_fee_due_on=date(2027, 1, 10), user=UserFactory(username="ann")
    )
    bob = AmbassadorFactory(name="Bob Active", sponsor=ann, membership_fee_due_on=date(2027, 1, 1))
    cal = VipCustomerFactory(name="Cal Quiet", sponsor=bob, email="cal@example.com")
    OrderFactory(account=cal, ordered_on=date(2025, 3, 9))
    dee = VipCustomerFactory(name="Dee Boundary", sponsor=ann)
    OrderFactory(account=dee, ordered_on=date(2025, 3, 10))
    eve = AmbassadorFactory(
        name="Eve Lapsed", sponsor=ann, membership_fee_due_on=date(2025, 9, 10), email="eve@example.com"
    )
    OrderFactory(account=eve, ordered_on=date(2025, 9, 9))
    SubscriptionFactory(
        account=eve, status="active", pv=80, card=SavedCardFactory(account=eve, is_default=True)
    )
    SavedCardFactory(account=eve)
    fay = VipCustomerFactory(name="Fay Child", sponsor=eve)
    gus = VipCustomerFactory(name="Gus Grandchild", sponsor=fay)
    hal = AmbassadorFactory(name="Hal Placed", sponsor=eve, personally_enrolled=False)
    ida = AmbassadorFactory(name="Ida Neither", sponsor=ann, membership_fee_due_on=date(2025, 6, 1))
    OrderFactory(account=ida, ordered_on=date(2026, 1, 5))
    out = VipCustomerFactory(name="Oscar Outside")
    return Tree(ann, bob, cal, dee, eve, fay, gus, hal, ida, out)


@pytest.fixture
def tree(db) -> Tree:
    return build_tree()


@pytest.fixture
def today():
    with clock.frozen_at(TODAY):
        yield TODAY


@pytest.fixture
def staff(db):
    return StaffUserFactory(username="cs-carol", groups=[CUSTOMER_SERVICE])


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Card deletion is queued after commit; tests record the ids instead of reaching a broker."""
    queued: list[int] = []
    monkeypatch.setattr(tasks.delete_cards_at_gateway, "delay", lambda account_id: queued.append(account_id))
    return queued
