"""Turn a ``Plan`` into rows of every member table, streamed through ``Table`` writers in chunks.

Everything the seed reads is read first (``Start``); then, on PostgreSQL, one bulk load writes the
tables in the order that lets the server rebuild keys and indexes behind the generator: accounts,
cards, orders (lines, charges, commissions, perks), then the history tables nothing else references.
"""

from __future__ import annotations

from accounts.models import (
    Account,
    CommissionEntry,
    MembershipFeePayment,
    Order,
    OrderLine,
    PaidRank,
    PerkCredit,
    SavedCard,
    Sponsorship,
    Subscription,
)
from accounts.models_billing import SubscriptionItem
from operations.seed.members import write_fees, write_paid_ranks, write_sponsorships, write_subscriptions
from operations.seed.orders import write_orders
from operations.seed.plan import Plan
from operations.seed.rows import Start, catalogue, write_accounts, write_cards
from operations.seed.writer import bulk_load, next_id
from plexus_office.platform.models import SandboxCard, SandboxCharge

SEEDED_MODELS = (
    Account,
    Sponsorship,
    PaidRank,
    SavedCard,
    SandboxCard,
    SandboxCharge,
    Subscription,
    SubscriptionItem,
    MembershipFeePayment,
    Order,
    OrderLine,
    CommissionEntry,
    PerkCredit,
)
FIRST_IDS = {
    "sponsorship": Sponsorship,
    "paid_rank": PaidRank,
    "card": SavedCard,
    "gateway_card": SandboxCard,
    "gateway_charge": SandboxCharge,
    "subscription": Subscription,
    "subscription_item": SubscriptionItem,
    "fee": MembershipFeePayment,
    "order": Order,
    "order_line": OrderLine,
    "commission": CommissionEntry,
    "perk": PerkCredit,
}


def read_start() -> Start:
    top_number = Account.objects.order_by("-number").values_list("number", flat=True).first() or 0
    return Start(
        root=Account.objects.values("pk", "path", "depth").get(number=1),
        orphan=Account.objects.values("pk", "path", "depth").get(number=2),
        base_id=next_id(Account),
        base_number=max(100_000, top_number + 1),
        ids={name: next_id(model) for name, model in FIRST_IDS.items()},
        products=catalogue(),
    )


def write_company(plan: Plan, *, progress: bool = True) -> dict[str, int]:
    """Write the planned company. On PostgreSQL every table written here is bulk-loaded: keys checked
    and secondary indexes built once, COPY and rebuilds overlapped with generation (``bulk_load``)."""
    start = read_start()
    plan.base_id, plan.base_number = start.base_id, start.base_number
    with bulk_load(*SEEDED_MODELS):
        counts: dict[str, int] = {}
        counts["accounts"], members = write_accounts(plan, start, progress=progress)
        counts["cards"] = write_cards(plan, start, members)
        counts.update(write_orders(plan, start, members, progress=progress))
        counts["sponsorships"] = write_sponsorships(plan, start)
        counts["paid_ranks"] = write_paid_ranks(plan, start)
        counts["subscriptions"], _items = write_subscriptions(plan, start, members)
        counts["fee_payments"] = write_fees(plan, start, members)
    # The summary's order, as before: members' tables first, then the orders phase.
    order = ["accounts", "sponsorships", "paid_ranks", "cards", "subscriptions", "fee_payments"]
    return {name: counts[name] for name in [*order, *(k for k in counts if k not in order)]}
