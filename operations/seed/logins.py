"""Demo logins: a handful of users tied to demo accounts, plus one staff user per group and an admin.

Everything here is idempotent: users are found by username and their password reset to the demo
password, demo accounts are found by their fixed numbers, so ``make run`` can call it every time.
Never used in production data: the password is public in the README.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Account, AccountKind, MembershipFeePayment, Rank
from operations.seed.builders import (
    DEMO_PASSWORD,
    demo_card,
    demo_link,
    demo_member,
    demo_order,
    demo_subscription,
    demo_user,
)
from plexus_office import clock
from plexus_office.platform import roles
from plexus_office.platform.mfa import mfa_demo_device

# Fixed numbers far above any seeded range, so the demo accounts are found again on every run.
DEMO_AMBASSADOR = 90_000_001
DEMO_CUSTOMER = 90_000_002
STAFF = [
    ("cs", "Customer Service", roles.CUSTOMER_SERVICE),
    ("returns", "Returns (warehouse)", roles.RETURNS),
    ("finance", "Finance", roles.FINANCE),
    ("leadsops", "Leads Operations", roles.LEADS_OPERATIONS),
]


def seed_logins(*, plan) -> list[dict[str, Any]]:
    """Logins for a few seeded accounts: the big leader, another qualified leader and a due lead."""
    logins = []
    leader = Account.objects.get(number=plan.base_number + plan.leader)
    logins.append(
        {**demo_link(leader, "leader"), "role": f"ambassador with the biggest downline (#{leader.number})"}
    )
    others = [i for i in range(len(plan)) if plan.qualified[i] and i != plan.leader]
    if others:
        account = Account.objects.get(number=plan.base_number + others[0])
        logins.append(
            {
                **demo_link(account, "qualified"),
                "role": f"leader meeting all five Leads rules (#{account.number})",
            }
        )
    due = [i for i in range(len(plan)) if plan.listed[i] and plan.listed[i] <= plan.as_of.toordinal() - 14]
    if due:
        account = Account.objects.get(number=plan.base_number + due[0])
        logins.append(
            {
                **demo_link(account, "lead"),
                "role": f'due lead under Corporate Sponsor "2" (#{account.number})',
            }
        )
    return logins


@transaction.atomic
def demo_logins() -> list[dict[str, Any]]:
    """Create (or refresh) every demo login and the demo accounts behind the member logins."""
    today = clock.today()
    leader = Account.objects.filter(user__username="leader").first()
    top = leader or Account.objects.get(number=1)
    ambassador = demo_member(
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
    card = demo_card(ambassador)
    demo_subscription(ambassador, pv=120, card=card)
    demo_order(ambassador, ref="DEMO-A-1", days_ago=12, subscription=True, card=card)
    # The demo ambassador's downline: an active VIP, a new ambassador, and two inactive members.
    vip = demo_member(
        DEMO_AMBASSADOR + 10,
        kind=AccountKind.VIP_CUSTOMER,
        sponsor=ambassador,
        name="Vera Active",
        enrolled_days_ago=60,
    )
    demo_subscription(vip, pv=60, card=demo_card(vip))
    demo_order(vip, ref="DEMO-V-1", days_ago=30)
    recruit = demo_member(
        DEMO_AMBASSADOR + 11,
        kind=AccountKind.AMBASSADOR,
        sponsor=ambassador,
        name="Nolan New",
        enrolled_days_ago=40,
        title_rank=Rank.BRAND_AMBASSADOR,
        membership_fee_due_on=today + timedelta(days=325),
    )
    demo_subscription(recruit, pv=40, card=demo_card(recruit))
    retail = demo_member(
        DEMO_AMBASSADOR + 12,
        kind=AccountKind.RETAIL_CUSTOMER,
        sponsor=ambassador,
        name="Ivan Inactive",
        enrolled_days_ago=800,
    )
    demo_order(retail, ref="DEMO-R-1", days_ago=430, sold_by=ambassador)
    # Retail sales the demo ambassador made directly: she issues their refunds (/refunds/sales/).
    shopper = demo_member(
        DEMO_AMBASSADOR + 14,
        kind=AccountKind.RETAIL_CUSTOMER,
        sponsor=ambassador,
        name="Rita Retail",
        enrolled_days_ago=45,
    )
    demo_order(shopper, ref="DEMO-S-1", days_ago=9, sold_by=ambassador)
    demo_order(shopper, ref="DEMO-S-2", days_ago=30, sold_by=ambassador, skus=("PROBIO5",))
    demo_member(
        DEMO_AMBASSADOR + 13,
        kind=AccountKind.AMBASSADOR,
        sponsor=ambassador,
        name="Olive Overdue",
        enrolled_days_ago=1000,
        title_rank=Rank.SILVER,
        membership_fee_due_on=today - timedelta(days=250),
    )
    customer = demo_member(
        DEMO_CUSTOMER,
        kind=AccountKind.VIP_CUSTOMER,
        sponsor=ambassador,
        name="Casey Customer",
        enrolled_days_ago=400,
    )
    customer_card = demo_card(customer)
    demo_subscription(customer, pv=60, card=customer_card)
    demo_order(customer, ref="DEMO-C-1", days_ago=20, subscription=True, card=customer_card)
    demo_order(customer, ref="DEMO-C-2", days_ago=6, pickup=True, card=customer_card)
    demo_order(customer, ref="DEMO-C-3", days_ago=150, card=customer_card)

    logins = [
        {**demo_link(ambassador, "ambassador"), "role": "ambassador with a downline, subscription and card"},
        {**demo_link(customer, "customer"), "role": "VIP customer with orders"},
    ]
    for username, title, group_name in STAFF:
        user = demo_user(
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
    admin = demo_user("admin", email="admin@plexus.example", first="Site", last="Admin", superuser=True)
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
            demo_user(username, email=account.email, first=account.name.split(" ")[0], last="")
            logins.append(
                {
                    "username": username,
                    "password": DEMO_PASSWORD,
                    "account": account.number,
                    "role": f"seeded member #{account.number}",
                }
            )
    return logins
