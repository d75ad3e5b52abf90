"""A small company for the security tests: an owner with private data, another member, the owner's
upline ambassador and one staff user per group (staff have no member account).

Olive (owner, ambassador) sits under Uma (upline, ambassador); Otto is another ambassador elsewhere.
Olive owns a card, a subscription paid by it, a paid order with an authorized refund (so it has a
return label), a clear request about her inactive customer Quinn and a pending email change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from accounts.models import Account, Order, PendingEmailChange, SavedCard
from accounts.selfservice.profile import _token_hash
from clearing.models import ClearRequest
from clearing.services import clear_request_submit
from leads.models import SponsorCorrection
from leads.services import sponsor_correction_request
from plexus_office import clock
from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE, LEADS_OPERATIONS, RETURNS
from refunds.models import Refund
from refunds.services import refund_authorize, refund_request
from tests.factories import (
    TODAY,
    AmbassadorFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    SavedCardFactory,
    StaffUserFactory,
    SubscriptionFactory,
    UserFactory,
    VipCustomerFactory,
    corporate_sponsor,
)
from tests.factories import paid_charge as shared_paid_charge

# Strings only Olive's own pages (and the staff who work her refund) may show.
OWNER_EMAIL = "olive.private@example.com"
OWNER_STREET = "12 Hidden Orchard Rd"
OWNER_PHONE = "+16025550142"
EMAIL_TOKEN = "olive-email-change-token-0123456789abcdef"

STAFF_GROUPS = {
    "customer_service": CUSTOMER_SERVICE,
    "returns": RETURNS,
    "finance": FINANCE,
    "leads_ops": LEADS_OPERATIONS,
}
ROLES = ("anonymous", "other", "upline", *STAFF_GROUPS, "owner")  # the owner acts last: may change state


@dataclass
class Company:
    owner: Account
    other: Account
    upline: Account
    quinn: Account
    lena: Account
    card: SavedCard
    order: Order
    refund: Refund
    clear_request: ClearRequest
    correction: SponsorCorrection
    users: dict[str, User | None]


def staff_user(group: str, username: str) -> User:
    return StaffUserFactory(username=username, groups=[group])


def paid_charge(amount: Decimal, key: str) -> str:
    return shared_paid_charge(amount, key, holder_name="Olive")


@pytest.fixture
def frozen_today():
    with clock.frozen_at(TODAY):
        yield TODAY


def build_company() -> Company:
    upline = AmbassadorFactory(number=5001, name="Uma Upline", user=UserFactory(username="uma"))
    owner = AmbassadorFactory(
        number=5002,
        name="Olive Owner",
        sponsor=upline,
        email=OWNER_EMAIL,
        phone=OWNER_PHONE,
        mailing_street=OWNER_STREET,
        mailing_city="Phoenix",
        mailing_region="AZ",
        mailing_postal_code="85001",
        mailing_country="US",
        shipping_street=OWNER_STREET,
        shipping_city="Phoenix",
        shipping_region="AZ",
        shipping_postal_code="85001",
        shipping_country="US",
        user=UserFactory(username="olive", email=OWNER_EMAIL),
    )
    other = AmbassadorFactory(number=5003, name="Otto Other", user=UserFactory(username="otto"))
    quinn = VipCustomerFactory(number=5004, name="Quinn Quiet", sponsor=owner)  # no orders: inactive
    lena = VipCustomerFactory(
        number=5005, name="Lena Lead", sponsor=corporate_sponsor(), user=UserFactory(username="lena")
    )
    card = SavedCardFactory(account=owner, is_default=True, last4="9876", token="tok_olive_0001")
    SubscriptionFactory(account=owner, status="active", pv=100, card=card)
    slim = ProductFactory(sku="SLIM", name="Slim", price=Decimal("89.95"), pv=60)
    order = OrderFactory(ref="O-OLIVE-1", account=owner, ordered_on=date(2026, 2, 1), country="US")
    OrderLineFactory(order=order, product=slim, qty=1, unit_price=Decimal("89.95"), pv=60)
    order.charge_id = paid_charge(Decimal("97.90"), "order-O-OLIVE-1")
    order.save(update_fields=["charge_id"])
    users: dict[str, User | None] = {
        "anonymous": None,
        "owner": owner.user,
        "other": other.user,
        "upline": upline.user,
    }
    for role, group in STAFF_GROUPS.items():
        users[role] = staff_user(group, f"staff_{role}")
    refund = refund_request(
        account=owner, order=order, products=[slim], reason="money_back", actor=owner.user
    )
    refund = refund_authorize(refund=refund, actor=users["customer_service"])
    clear_request = clear_request_submit(requester=owner, member=quinn, actor=owner.user, as_of=TODAY)
    correction = sponsor_correction_request(account=lena, sponsor_number=str(owner.number), actor=lena.user)

    now = clock.now()
    PendingEmailChange.objects.create(
        account=owner,  # type: ignore[misc]  # factory-boy returns an Account; mypy sees the factory
        old_email=OWNER_EMAIL,
        new_email="olive.new@example.com",
        token_hash=_token_hash(EMAIL_TOKEN),
        created_at=now,
        expires_at=now + timedelta(hours=24),
    )
    return Company(owner, other, upline, quinn, lena, card, order, refund, clear_request, correction, users)


@pytest.fixture
def company(db, frozen_today) -> Company:
    return build_company()
