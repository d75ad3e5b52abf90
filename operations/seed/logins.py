"""Demo logins: a handful of users tied to demo accounts, plus one staff user per group and an admin.

Everything here is idempotent: users are found by username and their password reset to the demo
password, demo accounts are found by their fixed numbers, so ``make run`` can call it every time.
Never used in production data: the password is public in the README.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import (
    Account,
    AccountKind,
    MembershipFeePayment,
    Order,
    OrderLine,
    Rank,
    SavedCard,
    SponsorChangeReason,
    Sponsorship,
    Subscription,
)
from operations.seed.rows import catalogue
from plexus_office import clock
from plexus_office.platform import roles
from plexus_office.platform.gateway import get_gateway
from plexus_office.platform.mfa import mfa_demo_device

DEMO_PASSWORD = "plexus-demo-2026"
# Fixed numbers far above any seeded range, so the demo accounts are found again on every run.
DEMO_AMBASSADOR = 90_000_001
DEMO_CUSTOMER = 90_000_002
STAFF = [
    ("cs", "Customer Service", roles.CUSTOMER_SERVICE),
    ("returns", "Returns (warehouse)", roles.RETURNS),
    ("finance", "Finance", roles.FINANCE),
    ("leadsops", "Leads Operations", roles.LEADS_OPERATIONS),
]


def _user(username: str, *, email: str, first: str, last: str, staff: bool = False, superuser: bool = False):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
    user.email, user.first_name, user.last_name = email, first, last
    user.is_staff, user.is_superuser, user.is_active = staff or superuser, superuser, True
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _link(account: Account, username: str) -> dict[str, Any]:
    first, _, last = account.name.partition(" ")
    user = _user(username, email=account.email, first=first, last=last)
    Account.objects.filter(user=user).exclude(pk=account.pk).update(user=None)
    Account.objects.filter(pk=account.pk).update(user=user)
    return {"username": username, "password": DEMO_PASSWORD, "account": account.number}


def seed_logins(*, plan) -> list[dict[str, Any]]:
    """Logins for a few seeded accounts: the big leader, another qualified leader and a due lead."""
    logins = []
    leader = Account.objects.get(number=plan.base_number + plan.leader)
    logins.append(
        {**_link(leader, "leader"), "role": f"ambassador with the biggest downline (#{leader.number})"}
    )
    others = [i for i in range(len(plan)) if plan.qualified[i] and i != plan.leader]
    if others:
        account = Account.objects.get(number=plan.base_number + others[0])
        logins.append(
            {
                **_link(account, "qualified"),
                "role": f"leader meeting all five Leads rules (#{account.number})",
            }
        )
    due = [i for i in range(len(plan)) if plan.listed[i] and plan.listed[i] <= plan.as_of.toordinal() - 14]
    if due:
        account = Account.objects.get(number=plan.base_number + due[0])
        logins.append(
            {**_link(account, "lead"), "role": f'due lead under Corporate Sponsor "2" (#{account.number})'}
        )
    return logins


def _member(
    number: int, *, kind: str, sponsor: Account, name: str, enrolled_days_ago: int, **fields
) -> Account:
    today = clock.today()
    account = Account.objects.filter(number=number).first()
    if account is not None:
        return account
    first, last = name.split(" ", 1)
    enrolled = today - timedelta(days=enrolled_days_ago)
    account = Account.objects.create(
        number=number,
        kind=kind,
        sponsor=sponsor,
        enrolled_on=enrolled,
        name=name,
        email=f"{first}.{last}.{number}@example.com".lower(),
        phone="+14805550100",
        country="US",
        mailing_street="7373 N Scottsdale Rd",
        mailing_unit="Suite 200",
        mailing_city="Scottsdale",
        mailing_region="AZ",
        mailing_postal_code="85253",
        mailing_country="US",
        shipping_street="7373 N Scottsdale Rd",
        shipping_unit="Suite 200",
        shipping_city="Scottsdale",
        shipping_region="AZ",
        shipping_postal_code="85253",
        shipping_country="US",
        info_reviewed_at=clock.now(),
        **fields,
    )
    Sponsorship.objects.create(
        account=account,
        sponsor=sponsor,
        valid_from=enrolled,
        reason=SponsorChangeReason.ENROLLMENT,
        personal=True,
    )
    return account


def _card(account: Account) -> SavedCard:
    existing = account.cards.filter(removed_at__isnull=True).first()
    if existing is not None:
        return existing

    today = clock.today()
    token = get_gateway().tokenize(
        number="4242424242424242",
        exp_month=12,
        exp_year=today.year + 3,
        cvv="123",
        holder_name=account.name,
        postal_code=account.mailing_postal_code,
    )
    return SavedCard.objects.create(
        account=account,
        token=token.token,
        brand=token.brand,
        last4=token.last4,
        exp_month=token.exp_month,
        exp_year=token.exp_year,
        holder_name=account.name,
        billing_postal_code=account.mailing_postal_code,
        is_default=True,
    )


def _subscription(account: Account, *, pv: int, card: SavedCard | None) -> None:
    Subscription.objects.get_or_create(
        account=account,
        defaults={"status": "active", "pv": pv, "card": card, "started_on": account.enrolled_on},
    )


def _order(
    account: Account,
    *,
    ref: str,
    days_ago: int,
    pickup: bool = False,
    subscription: bool = False,
    card: SavedCard | None = None,
    sold_by: Account | None = None,
    skus: tuple[str, ...] = ("SLIM", "PROBIO5"),
) -> None:
    order = Order.objects.filter(ref=ref).first()
    if order is None:
        products = {p.sku: p for p in catalogue()}
        order = Order.objects.create(
            ref=ref,
            account=account,
            ordered_on=clock.today() - timedelta(days=days_ago),
            country="US",
            fulfillment="pickup" if pickup else "ship",
            shipping=Decimal("0.00") if pickup else Decimal("7.95"),
            subscription_order=subscription,
            card=card,
            sold_by=sold_by,
        )
        for sku in skus:
            product = products[sku]
            OrderLine.objects.create(
                order=order, product=product, qty=1, unit_price=product.price, pv=product.pv
            )
    if not order.charge_id:
        _charge(order, card)


def _charge(order: Order, card: SavedCard | None) -> None:
    """The order's original charge, so every demo refund can be paid back to it (same key: once).

    Without a saved card the member paid with one not kept on file: a one-off token pays.
    """
    gateway = get_gateway()
    token = (
        card.token
        if card is not None
        else gateway.tokenize(
            number="4242424242424242",
            exp_month=12,
            exp_year=clock.today().year + 3,
            cvv="123",
            holder_name=order.account.name,
            postal_code=order.account.mailing_postal_code,
        ).token
    )
    total = order.shipping + sum((line.unit_price * line.qty for line in order.lines.all()), Decimal("0.00"))
    charge = gateway.charge(token=token, amount=total, idempotency_key=f"demo-order-{order.ref}")
    Order.objects.filter(pk=order.pk).update(charge_id=charge.id)


@transaction.atomic
def demo_logins() -> list[dict[str, Any]]:
    """Create (or refresh) every demo login and the demo accounts behind the member logins."""
    today = clock.today()
    leader = Account.objects.filter(user__username="leader").first()
    top = leader or Account.objects.get(number=1)
    ambassador = _member(
        DEMO_AMBASSADOR,
        kind=AccountKind.AMBASSADOR,
        sponsor=top,
        name="Dana Demo",
        enrolled_days_ago=900,
        title_rank=Rank.RUBY,
        membership_fee_due_on=today + timedelta(days=120),
    )
    MembershipFeePayment.objects.get_or_create(
        account=ambassador,
        paid_on=today - timedelta(days=245),
        defaults={"amount": Decimal("29.95"), "covers_until": today + timedelta(days=120)},
    )
    card = _card(ambassador)
    _subscription(ambassador, pv=120, card=card)
    _order(ambassador, ref="DEMO-A-1", days_ago=12, subscription=True, card=card)
    # The demo ambassador's downline: an active VIP, a new ambassador, and two inactive members.
    vip = _member(
        DEMO_AMBASSADOR + 10,
        kind=AccountKind.VIP_CUSTOMER,
        sponsor=ambassador,
        name="Vera Active",
        enrolled_days_ago=60,
    )
    _subscription(vip, pv=60, card=_card(vip))
    _order(vip, ref="DEMO-V-1", days_ago=30)
    recruit = _member(
        DEMO_AMBASSADOR + 11,
        kind=AccountKind.AMBASSADOR,
        sponsor=ambassador,
        name="Nolan New",
        enrolled_days_ago=40,
        title_rank=Rank.BRAND_AMBASSADOR,
        membership_fee_due_on=today + timedelta(days=325),
    )
    _subscription(recruit, pv=40, card=_card(recruit))
    retail = _member(
        DEMO_AMBASSADOR + 12,
        kind=AccountKind.RETAIL_CUSTOMER,
        sponsor=ambassador,
        name="Ivan Inactive",
        enrolled_days_ago=800,
    )
    _order(retail, ref="DEMO-R-1", days_ago=430, sold_by=ambassador)
    # Retail sales the demo ambassador made directly: she issues their refunds (/refunds/sales/).
    shopper = _member(
        DEMO_AMBASSADOR + 14,
        kind=AccountKind.RETAIL_CUSTOMER,
        sponsor=ambassador,
        name="Rita Retail",
        enrolled_days_ago=45,
    )
    _order(shopper, ref="DEMO-S-1", days_ago=9, sold_by=ambassador)
    _order(shopper, ref="DEMO-S-2", days_ago=30, sold_by=ambassador, skus=("PROBIO5",))
    _member(
        DEMO_AMBASSADOR + 13,
        kind=AccountKind.AMBASSADOR,
        sponsor=ambassador,
        name="Olive Overdue",
        enrolled_days_ago=1000,
        title_rank=Rank.SILVER,
        membership_fee_due_on=today - timedelta(days=250),
    )
    customer = _member(
        DEMO_CUSTOMER,
        kind=AccountKind.VIP_CUSTOMER,
        sponsor=ambassador,
        name="Casey Customer",
        enrolled_days_ago=400,
    )
    customer_card = _card(customer)
    _subscription(customer, pv=60, card=customer_card)
    _order(customer, ref="DEMO-C-1", days_ago=20, subscription=True, card=customer_card)
    _order(customer, ref="DEMO-C-2", days_ago=6, pickup=True, card=customer_card)
    _order(customer, ref="DEMO-C-3", days_ago=150, card=customer_card)

    logins = [
        {**_link(ambassador, "ambassador"), "role": "ambassador with a downline, subscription and card"},
        {**_link(customer, "customer"), "role": "VIP customer with orders"},
    ]
    for username, title, group_name in STAFF:
        user = _user(
            username, email=f"{username}@plexus.example", first=title.split()[0], last="Staff", staff=True
        )
        group, _ = Group.objects.get_or_create(name=group_name)
        user.groups.set([group])
        logins.append(
            {
                "username": username,
                "password": DEMO_PASSWORD,
                "role": f"staff: {group_name}",
                "totp_secret": mfa_demo_device(user=user),
            }
        )
    admin = _user("admin", email="admin@plexus.example", first="Site", last="Admin", superuser=True)
    logins.append(
        {
            "username": "admin",
            "password": DEMO_PASSWORD,
            "role": "superuser (Django admin)",
            "totp_secret": mfa_demo_device(user=admin),
        }
    )
    for username in ("leader", "qualified", "lead"):
        account = Account.objects.filter(user__username=username).first()
        if account is not None:
            _user(username, email=account.email, first=account.name.split(" ")[0], last="")
            logins.append(
                {
                    "username": username,
                    "password": DEMO_PASSWORD,
                    "account": account.number,
                    "role": f"seeded member #{account.number}",
                }
            )
    return logins
