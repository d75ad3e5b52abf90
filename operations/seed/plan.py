"""The shape of a demo company, decided before anything is written (compact per-account arrays).

One ``random.Random(seed)`` drives every choice and dates count back from ``as_of``, so the same seed
and day give the same company. Kept compact (``array``) so a million accounts fit in memory.

Shape:
- index 0 is the big leader (Senior Diamond) under the corporate root; indices 1..29 a chain below
  the leader (the deepest line reaches depth 30); ~13% of the rest join the leader's organization.
- the rest attach under earlier ambassadors, with a bias to recent ones so lines get deep;
- ~10% are orphans under account "2" (most listed more than 14 days ago: due leads);
- ~0.4% are leaders meeting all five Leads rules, each given a new personally enrolled VIP customer
  and ambassador with active subscriptions (appended at the end);
- a few percent are inactive (customers without an order for 12+ months, ambassadors 6+ months
  overdue without recent orders), a few "neither", and ~2% cancelled.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field
from datetime import date, timedelta

from accounts.models import Rank

MAX_DEPTH = 30
CHAIN = 29
AMBASSADOR, VIP, RETAIL = 0, 1, 2
ROOT, ORPHANAGE = -1, -2  # sponsor markers: corporate root (1) and Corporate Sponsor "2"

# Profiles decide orders, fee and subscription state.
ACTIVE, INACTIVE, NEITHER, CANCELLED = 0, 1, 2, 3
# Subscription states.
NO_SUB, SUB_ACTIVE, SUB_PAUSED, SUB_CANCELLED = 0, 1, 2, 3

# Title-rank pyramid for ordinary ambassadors (weights per mille, Brand Ambassador .. Senior Diamond).
TITLE_WEIGHTS = [520, 200, 120, 70, 45, 25, 10, 5, 3, 2]


@dataclass
class Plan:
    n: int
    seed: int
    as_of: date
    kind: array = field(default_factory=lambda: array("b"))
    sponsor: array = field(default_factory=lambda: array("l"))
    depth: array = field(default_factory=lambda: array("b"))
    enrolled: array = field(default_factory=lambda: array("l"))  # date ordinals
    listed: array = field(default_factory=lambda: array("l"))  # ordinal under "2", 0 when not
    placed: array = field(default_factory=lambda: array("l"))  # ordinal placed by the Leads program, 0
    title: array = field(default_factory=lambda: array("b"))
    profile: array = field(default_factory=lambda: array("b"))
    sub: array = field(default_factory=lambda: array("b"))
    sub_pv: array = field(default_factory=lambda: array("h"))
    qualified: array = field(default_factory=lambda: array("b"))
    leader: int = 0
    deepest: int = CHAIN
    # Set when written: the first account's primary key and number (index i -> base + i).
    base_id: int = 0
    base_number: int = 0

    def __len__(self) -> int:
        return len(self.kind)

    def day(self, ordinal: int) -> date:
        return date.fromordinal(ordinal)


def _title(rng: random.Random) -> int:
    pick = rng.randrange(1000)
    for rank, weight in enumerate(TITLE_WEIGHTS, start=1):
        if pick < weight:
            return rank
        pick -= weight
    return int(Rank.BRAND_AMBASSADOR)


def _subscription(rng: random.Random, kind: int, profile: int) -> tuple[int, int]:
    if kind == RETAIL:
        return NO_SUB, 0
    if profile == CANCELLED:
        return (SUB_CANCELLED, 60) if rng.random() < 0.7 else (NO_SUB, 0)
    if profile == INACTIVE:
        return (SUB_CANCELLED, rng.choice((40, 60))) if rng.random() < 0.5 else (NO_SUB, 0)
    has = rng.random() < (0.72 if kind == AMBASSADOR else 0.9)
    if not has:
        return NO_SUB, 0
    state = SUB_ACTIVE if rng.random() < 0.93 else SUB_PAUSED
    pv = rng.choice((40, 60, 80, 100, 120, 150, 200) if kind == AMBASSADOR else (20, 40, 60, 80, 100))
    return state, pv


def _profile(rng: random.Random, kind: int) -> int:
    roll = rng.random()
    if roll < 0.02:
        return CANCELLED
    if kind == AMBASSADOR:
        return INACTIVE if roll < 0.09 else NEITHER if roll < 0.12 else ACTIVE
    return INACTIVE if roll < 0.12 else ACTIVE


def build_plan(*, n: int, seed: int, as_of: date) -> Plan:
    if n < 50:
        raise ValueError("--accounts: at least 50 (a leader, a 30-deep line, orphans and recruits)")
    rng = random.Random(seed)
    plan = Plan(n=n, seed=seed, as_of=as_of)
    today = as_of.toordinal()
    start = (as_of - timedelta(days=365 * 9)).toordinal()
    n_orphans = n // 10
    n_qualified = max(1, n // 250)
    n_main = n - 1 - CHAIN - n_orphans - 2 * n_qualified
    big_pool = array("l")
    other_pool = array("l")

    def add(
        kind: int, sponsor: int, depth: int, enrolled: int, *, title: int = 0, profile: int = ACTIVE
    ) -> int:
        index = len(plan.kind)
        plan.kind.append(kind)
        plan.sponsor.append(sponsor)
        plan.depth.append(depth)
        plan.enrolled.append(enrolled)
        plan.listed.append(0)
        plan.placed.append(0)
        plan.title.append(title)
        plan.profile.append(profile)
        state, pv = _subscription(rng, kind, profile)
        plan.sub.append(state)
        plan.sub_pv.append(pv)
        plan.qualified.append(0)
        return index

    # The big leader and the deepest line under it, enrolled early.
    plan.leader = add(AMBASSADOR, ROOT, 1, start, title=int(Rank.SENIOR_DIAMOND))
    big_pool.append(plan.leader)
    previous = plan.leader
    for step in range(CHAIN):
        previous = add(AMBASSADOR, previous, step + 2, start + 10 + step, title=int(Rank.GOLD))
        big_pool.append(previous)
    plan.deepest = previous

    span = today - 200 - start
    for i in range(n_main):
        roll = rng.random()
        kind = AMBASSADOR if roll < 0.36 else VIP if roll < 0.86 else RETAIL
        enrolled = start + 40 + (i * span) // max(n_main, 1)
        in_big = rng.random() < 0.13
        pool = big_pool if in_big or not other_pool else other_pool
        if not in_big and (not other_pool or rng.random() < 0.004):
            sponsor, depth = ROOT, 1  # a new top-level organization
        else:
            for _ in range(4):
                if rng.random() < 0.35:
                    sponsor = pool[len(pool) - 1 - rng.randrange(min(len(pool), 400))]
                else:
                    sponsor = pool[rng.randrange(len(pool))]
                if plan.depth[sponsor] < MAX_DEPTH:
                    break
            else:
                sponsor = pool[rng.randrange(min(len(pool), 50))]  # early members sit shallow
            depth = plan.depth[sponsor] + 1
        profile = _profile(rng, kind)
        index = add(
            kind, sponsor, depth, enrolled, title=_title(rng) if kind == AMBASSADOR else 0, profile=profile
        )
        if kind == AMBASSADOR and profile != CANCELLED and depth < MAX_DEPTH:
            (big_pool if in_big else other_pool).append(index)
        # ~3% were leads once: placed by the Leads program 15-40 days after enrolling.
        if sponsor >= 0 and kind != RETAIL and rng.random() < 0.03:
            plan.placed[index] = enrolled + rng.randint(15, 40)

    # Orphans: leads listed under "2"; four in five were listed more than 14 days ago.
    for _ in range(n_orphans):
        days_ago = rng.randint(15, 120) if rng.random() < 0.8 else rng.randint(0, 13)
        kind = AMBASSADOR if rng.random() < 0.4 else VIP
        listed = today - days_ago
        index = add(kind, ORPHANAGE, 1, listed, title=int(Rank.BRAND_AMBASSADOR) if kind == AMBASSADOR else 0)
        plan.listed[index] = listed

    # Qualified leaders: the big leader plus ambassadors enrolled more than a year ago.
    candidates = [
        i
        for i in range(1 + CHAIN, 1 + CHAIN + n_main)
        if plan.kind[i] == AMBASSADOR and plan.profile[i] == ACTIVE and plan.enrolled[i] < today - 365
    ]
    rng.shuffle(candidates)
    leaders = [plan.leader, *candidates[: n_qualified - 1]]
    for leader in leaders:
        plan.qualified[leader] = 1
        plan.title[leader] = max(
            plan.title[leader], rng.randint(int(Rank.SENIOR_RUBY), int(Rank.SENIOR_DIAMOND))
        )
        plan.sub[leader] = SUB_ACTIVE
        plan.sub_pv[leader] = rng.choice((100, 120, 150, 200))
        plan.placed[leader] = 0
        for kind in (VIP, AMBASSADOR):
            depth = plan.depth[leader] + 1
            recruit = add(
                kind,
                leader,
                depth,
                today - rng.randint(1, 170),
                title=int(Rank.BRAND_AMBASSADOR) if kind == AMBASSADOR else 0,
            )
            plan.sub[recruit] = SUB_ACTIVE
            plan.sub_pv[recruit] = rng.choice((20, 40, 60, 100))
    # A few more leads than the plan's N when leaders were scarce never happens: fill up with customers.
    while len(plan) < n:
        add(RETAIL, plan.leader, 2, today - rng.randint(200, 2000))
    return plan
