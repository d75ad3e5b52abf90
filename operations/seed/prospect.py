"""The demo "prospect" path: a leader who will still meet all five Leads rules two weeks from now.

Someone trying the demo enrolls without a sponsor at ``/join/`` (or ``manage.py enroll``), then runs
``assign_leads --as-of <today + 14 days>`` and watches the new lead placed. The seeded company's
qualified leaders are qualified as of the seed day, which a run 14 days later (often in the next
calendar month) may not see; this one is built for that run. Idempotent, found by its fixed number.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from accounts.models import Account, AccountKind, PaidRank, Rank
from operations.seed.builders import demo_card, demo_link, demo_member, demo_subscription
from plexus_office import clock
from plexus_office.dates import add_months, month_start

PROSPECT_LEADER = 89_999_901  # below the demo block, never picked by an enrollment (highest + 1)


def seed_prospect_leader() -> dict[str, Any]:
    today = clock.today()
    top = Account.objects.get(number=1)
    leader = demo_member(
        PROSPECT_LEADER,
        kind=AccountKind.AMBASSADOR,
        sponsor=top,
        name="Paula Placer",
        enrolled_days_ago=1500,
        title_rank=Rank.SENIOR_RUBY,
        membership_fee_due_on=today + timedelta(days=200),
    )
    # Paid ranks for the months a run today or in the coming weeks looks at (the two before its month).
    for back in range(-1, 3):
        PaidRank.objects.get_or_create(
            account=leader, month=add_months(month_start(today), -back), defaults={"rank": Rank.SENIOR_GOLD}
        )
    demo_subscription(leader, pv=120, card=demo_card(leader))
    vip = demo_member(
        PROSPECT_LEADER + 1,
        kind=AccountKind.VIP_CUSTOMER,
        sponsor=leader,
        name="Vic Recent",
        enrolled_days_ago=30,
    )
    demo_subscription(vip, pv=60, card=demo_card(vip))
    recruit = demo_member(
        PROSPECT_LEADER + 2,
        kind=AccountKind.AMBASSADOR,
        sponsor=leader,
        name="Rhea Recent",
        enrolled_days_ago=30,
        title_rank=Rank.BRAND_AMBASSADOR,
        membership_fee_due_on=today + timedelta(days=335),
    )
    demo_subscription(recruit, pv=40, card=demo_card(recruit))
    return {**demo_link(leader, "placer"), "role": "leader who receives leads placed two weeks from now"}
