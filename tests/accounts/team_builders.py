"""The small organization the team tests read: Ann > Ben > (Cora, Dan)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounts.models import Account, Product, SponsorChangeReason
from accounts.services import sponsor_change
from tests.factories import (
    TODAY,
    AmbassadorFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    UserFactory,
    VipCustomerFactory,
)


def team_people() -> tuple[Account, Account, Account, Account]:
    """Ann (signs in as "ann") > Ben > (Cora, Dan); Ben enrolled before Cora and Dan."""
    ann = AmbassadorFactory(number=1001, name="Ann Leader", user=UserFactory(username="ann"),
                            enrolled_on=date(2020, 1, 1))  # fmt: skip
    ben = AmbassadorFactory(number=2001, name="Ben Builder", sponsor=ann, enrolled_on=date(2024, 1, 1))
    cora = VipCustomerFactory(number=3001, name="Cora Customer", sponsor=ben, enrolled_on=date(2024, 6, 1))
    dan = VipCustomerFactory(number=3002, name="Dan Donor", sponsor=ben, enrolled_on=date(2024, 6, 1))
    return ann, ben, cora, dan


def slim_order(*, ref: str, account: Account, qty: int, day: date, product: Product) -> None:
    """One order of ``qty`` of ``product`` (SLIM: 89.95, 60 PV each) on ``day``."""
    order = OrderFactory(ref=ref, account=account, ordered_on=day)
    OrderLineFactory(order=order, product=product, qty=qty, unit_price=Decimal("89.95"), pv=60)


def team_with_placed_lead() -> Account:
    """``team_people`` plus Eve, listed under "2" and placed with Ann by Leads on 2024-08-01; orders
    this month: Cora 1, Dan 2, Ben 1 SLIM. Returns Ann."""
    ann, ben, cora, dan = team_people()
    eve = VipCustomerFactory(
        number=4001, name="Eve Lead", sponsor=Account.objects.get(number=2), enrolled_on=date(2024, 7, 1)
    )
    sponsor_change(account=eve, new_sponsor=ann, reason=SponsorChangeReason.LEAD_PLACEMENT, actor=None,
                   on=date(2024, 8, 1))  # fmt: skip
    slim = ProductFactory(sku="SLIM", price=Decimal("89.95"), pv=60)
    for account, qty in ((cora, 1), (dan, 2), (ben, 1)):
        slim_order(
            ref=f"O-{account.number}", account=account, qty=qty, day=TODAY.replace(day=1), product=slim
        )
    return ann
