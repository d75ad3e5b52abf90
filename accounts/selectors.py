"""Rule selectors. Every rule reads the one clock (``as_of``) and returns its facts with its verdict.

Set-based first: ``lead_sponsor_queryset`` annotates every ambassador with the facts of the five
Leads rules in one query, and the single-account answer is that same query filtered to one row, so
the rule is written once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext

from accounts.history import NOT_ENROLLED, active_on_q, sponsor_id_on, status_on
from accounts.models import (
    Account,
    AccountKind,
    AccountStatus,
    MembershipFeePayment,
    Order,
    PaidRank,
    Rank,
    SavedCard,
    Subscription,
    SubscriptionStatus,
)
from plexus_office import clock
from plexus_office.dates import add_months, previous_months

LEAD_MIN_TITLE_RANK = Rank.SENIOR_RUBY
LEAD_MIN_PAID_RANK = Rank.SENIOR_GOLD
LEAD_MIN_SUBSCRIPTION_PV = 100
LEAD_RECRUIT_WINDOW_MONTHS = 6

CUSTOMER_ACTIVE_MONTHS = 12
AMBASSADOR_FEE_PAID_MONTHS = 12
AMBASSADOR_OVERDUE_MONTHS = 6
AMBASSADOR_NO_ORDER_MONTHS = 6


# --- Activity (clearing.txt, business-rules §4) -------------------------------------------------


class Activity:
    ACTIVE = "active"
    INACTIVE = "inactive"
    NEITHER = "neither"


@dataclass(frozen=True)
class ActivityVerdict:
    activity: str
    reason: str
    as_of: date
    last_order_on: date | None
    membership_fee_due_on: date | None = None
    last_fee_paid_on: date | None = None
    months_overdue: int = 0
    facts: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in list(data.items()):
            if isinstance(value, date):
                data[key] = value.isoformat()
        return data


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 when end is before start + 1 month)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def decide_activity(
    *,
    kind: str,
    as_of: date,
    last_order_on: date | None,
    membership_fee_due_on: date | None = None,
    last_fee_paid_on: date | None = None,
) -> ActivityVerdict:
    """Pure rule: customers by orders in 12 months; ambassadors by fee and orders."""
    if kind != AccountKind.AMBASSADOR:
        since = add_months(as_of, -CUSTOMER_ACTIVE_MONTHS)
        if last_order_on is not None and last_order_on >= since:
            reason = (
                f"ordered on {last_order_on.isoformat()}, within 12 months (on or after {since.isoformat()})"
            )
            return ActivityVerdict(Activity.ACTIVE, reason, as_of, last_order_on)
        reason = f"no order on or after {since.isoformat()} (12 months before {as_of.isoformat()})"
        return ActivityVerdict(Activity.INACTIVE, reason, as_of, last_order_on)

    paid_since = add_months(as_of, -AMBASSADOR_FEE_PAID_MONTHS)
    overdue_months = months_between(membership_fee_due_on, as_of) if membership_fee_due_on else 0
    common: dict[str, Any] = {
        "as_of": as_of,
        "last_order_on": last_order_on,
        "membership_fee_due_on": membership_fee_due_on,
        "last_fee_paid_on": last_fee_paid_on,
        "months_overdue": overdue_months if membership_fee_due_on and as_of > membership_fee_due_on else 0,
    }
    if last_fee_paid_on is not None and last_fee_paid_on >= paid_since:
        return ActivityVerdict(
            Activity.ACTIVE,
            f"membership fee paid on {last_fee_paid_on.isoformat()}, within 12 months",
            **common,
        )
    if membership_fee_due_on is None:
        return ActivityVerdict(Activity.ACTIVE, "no membership fee due date on file: not overdue", **common)
    six_months_overdue_on = add_months(membership_fee_due_on, AMBASSADOR_OVERDUE_MONTHS)
    if as_of < six_months_overdue_on:
        return ActivityVerdict(
            Activity.ACTIVE,
            f"membership fee due {membership_fee_due_on.isoformat()} is less than 6 months overdue "
            f"(6 months reached on {six_months_overdue_on.isoformat()})",
            **common,
        )
    orders_since = add_months(as_of, -AMBASSADOR_NO_ORDER_MONTHS)
    if last_order_on is not None and last_order_on >= orders_since:
        return ActivityVerdict(
            Activity.NEITHER,
            f"membership fee due {membership_fee_due_on.isoformat()} is 6+ months overdue, but ordered on "
            f"{last_order_on.isoformat()}, within 6 months (on or after {orders_since.isoformat()})",
            **common,
        )
    return ActivityVerdict(
        Activity.INACTIVE,
        f"membership fee due {membership_fee_due_on.isoformat()} is 6+ months overdue (since "
        f"{six_months_overdue_on.isoformat()}) and no order on or after {orders_since.isoformat()}",
        **common,
    )


def with_activity_facts(queryset: QuerySet[Account], *, as_of: date) -> QuerySet[Account]:
    """Annotate ``last_order_on`` and ``last_fee_paid_on`` as of a day (no query by itself)."""
    last_order = (
        Order.objects.filter(account=OuterRef("pk"), ordered_on__lte=as_of)
        .order_by("-ordered_on")
        .values("ordered_on")[:1]
    )
    last_fee = (
        MembershipFeePayment.objects.filter(account=OuterRef("pk"), paid_on__lte=as_of)
        .order_by("-paid_on")
        .values("paid_on")[:1]
    )
    return queryset.annotate(last_order_on=Subquery(last_order), last_fee_paid_on=Subquery(last_fee))


def activity_from_annotated(account: Account, *, as_of: date) -> ActivityVerdict:
    return decide_activity(
        kind=account.kind,
        as_of=as_of,
        last_order_on=getattr(account, "last_order_on", None),
        membership_fee_due_on=account.membership_fee_due_on,
        last_fee_paid_on=getattr(account, "last_fee_paid_on", None),
    )


def account_activity(*, account: Account, as_of: date | None = None) -> ActivityVerdict:
    """Activity of one account (one query)."""
    day = clock.today(as_of)
    annotated = with_activity_facts(Account.objects.filter(pk=account.pk), as_of=day).get()
    return activity_from_annotated(annotated, as_of=day)


def is_clearable(*, account: Account, verdict: ActivityVerdict) -> bool:
    """Inactive on the verdict's day, and enrolled and not cancelled on that day."""
    return (
        verdict.activity == Activity.INACTIVE
        and status_on(account, verdict.as_of) == AccountStatus.ACTIVE
        and not account.is_corporate
    )


# --- Commission qualified (business-rules §2) ---------------------------------------------------


def card_is_valid(card: SavedCard | None, *, as_of: date) -> bool:
    if card is None or card.removed_at is not None:
        return False
    return (card.exp_year, card.exp_month) >= (as_of.year, as_of.month)


@dataclass(frozen=True)
class CommissionQualification:
    qualified: bool
    missing: list[str]


_LOOK_UP: Any = object()  # "read the subscription": a caller that already holds it passes it (even None)


def commission_qualification(
    *, account: Account, as_of: date | None = None, subscription: Any = _LOOK_UP
) -> CommissionQualification:
    """An ambassador with an active subscription paid by a valid, unexpired card.

    ``subscription``: the account's subscription (``select_related("card")``) or None when the
    caller has read it already (the dashboard shows it too); otherwise one query reads it.
    """
    day = clock.today(as_of)
    if account.kind != AccountKind.AMBASSADOR or account.is_corporate:
        return CommissionQualification(False, [gettext("only ambassadors can be commission qualified")])
    if subscription is _LOOK_UP:
        subscription = Subscription.objects.select_related("card").filter(account=account).first()
    missing: list[str] = []
    status = status_on(account, day)
    if status == NOT_ENROLLED:
        missing.append(gettext("the account is not enrolled yet on %(day)s") % {"day": day.isoformat()})
    elif status != AccountStatus.ACTIVE:
        missing.append(gettext("the account is cancelled"))
    if subscription is None or subscription.status != SubscriptionStatus.ACTIVE:
        missing.append(gettext("an active monthly subscription"))
    elif subscription.card is None or subscription.card.removed_at is not None:
        missing.append(gettext("a card paying the subscription"))
    elif not card_is_valid(subscription.card, as_of=day):
        missing.append(
            gettext("an unexpired card (the subscription card expired %(month)s/%(year)s)")
            % {"month": f"{subscription.card.exp_month:02d}", "year": subscription.card.exp_year}
        )
    return CommissionQualification(not missing, missing)


# --- Leads program: the five rules (leads-program.txt, business-rules §3) -----------------------

LEAD_RULES = ("title_rank", "paid_rank", "subscription_pv", "new_vip_customer", "new_ambassador")


def _recent_personal_recruits(*, as_of: date, kind: str) -> QuerySet[Account, Any]:
    since = add_months(as_of, -LEAD_RECRUIT_WINDOW_MONTHS)
    return (
        Account.objects.filter(
            active_on_q(as_of),
            sponsor=OuterRef("pk"),
            personally_enrolled=True,
            kind=kind,
            enrolled_on__gte=since,
            enrolled_on__lte=as_of,
            subscription__status=SubscriptionStatus.ACTIVE,
        )
        .order_by("-enrolled_on", "number")
        .values("number")[:1]
    )


def lead_sponsor_queryset(*, as_of: date) -> QuerySet[Account]:
    """Every live, non-corporate ambassador annotated with the facts of the five rules (one query)."""
    first_month, second_month = previous_months(as_of, 2)
    # Enrolled and not cancelled at the end of the day (business-rules §8), not merely today.
    return Account.objects.filter(
        active_on_q(as_of), kind=AccountKind.AMBASSADOR, is_corporate=False
    ).annotate(
        paid_rank_first=Subquery(
            PaidRank.objects.filter(account=OuterRef("pk"), month=first_month).values("rank")[:1]
        ),
        paid_rank_second=Subquery(
            PaidRank.objects.filter(account=OuterRef("pk"), month=second_month).values("rank")[:1]
        ),
        subscription_pv=Subquery(
            Subscription.objects.filter(account=OuterRef("pk"), status=SubscriptionStatus.ACTIVE).values(
                "pv"
            )[:1]
        ),
        new_vip_customer_number=Subquery(
            _recent_personal_recruits(as_of=as_of, kind=AccountKind.VIP_CUSTOMER)
        ),
        new_ambassador_number=Subquery(_recent_personal_recruits(as_of=as_of, kind=AccountKind.AMBASSADOR)),
    )


def qualified_lead_sponsors(*, as_of: date) -> QuerySet[Account]:
    """The ambassadors meeting all five rules, as one set-based query."""
    return lead_sponsor_queryset(as_of=as_of).filter(  # type: ignore[misc]  # annotations
        title_rank__gte=LEAD_MIN_TITLE_RANK,
        paid_rank_first__gte=LEAD_MIN_PAID_RANK,
        paid_rank_second__gte=LEAD_MIN_PAID_RANK,
        subscription_pv__gte=LEAD_MIN_SUBSCRIPTION_PV,
        new_vip_customer_number__isnull=False,
        new_ambassador_number__isnull=False,
    )


def _rank_label(value: int | None) -> str | None:
    return Rank(value).label if value else None


@dataclass(frozen=True)
class LeadSponsorVerdict:
    qualified: bool
    rules: dict[str, bool]
    facts: dict[str, Any]
    explanations: dict[str, str]

    @property
    def missing(self) -> list[str]:
        return [self.explanations[name] for name in LEAD_RULES if not self.rules[name]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "qualified": self.qualified,
            "rules": self.rules,
            "facts": self.facts,
            "explanations": self.explanations,
        }


def lead_verdict_from_annotated(account: Account, *, as_of: date) -> LeadSponsorVerdict:
    """Turn one row of ``lead_sponsor_queryset`` into rule results with their facts (no query)."""
    first_month, second_month = previous_months(as_of, 2)
    m1, m2 = first_month.strftime("%Y-%m"), second_month.strftime("%Y-%m")
    pr1, pr2 = account.paid_rank_first, account.paid_rank_second  # type: ignore[attr-defined]
    pv = account.subscription_pv  # type: ignore[attr-defined]
    vip = account.new_vip_customer_number  # type: ignore[attr-defined]
    amb = account.new_ambassador_number  # type: ignore[attr-defined]
    since = add_months(as_of, -LEAD_RECRUIT_WINDOW_MONTHS).isoformat()
    rules = {
        "title_rank": bool(account.title_rank and account.title_rank >= LEAD_MIN_TITLE_RANK),
        "paid_rank": bool(pr1 and pr2 and pr1 >= LEAD_MIN_PAID_RANK and pr2 >= LEAD_MIN_PAID_RANK),
        "subscription_pv": pv is not None and pv >= LEAD_MIN_SUBSCRIPTION_PV,
        "new_vip_customer": vip is not None,
        "new_ambassador": amb is not None,
    }
    facts = {
        "title_rank": _rank_label(account.title_rank),
        "paid_ranks": {m1: _rank_label(pr1), m2: _rank_label(pr2)},
        "subscription_pv": pv,
        "new_vip_customer": vip,
        "new_ambassador": amb,
        "recruits_enrolled_since": since,
    }
    explanations = {
        "title_rank": f"title rank {facts['title_rank'] or 'none'}; Senior Ruby or higher is needed",
        "paid_rank": f"paid rank {m1}: {facts['paid_ranks'][m1] or 'none'}, {m2}: "
        f"{facts['paid_ranks'][m2] or 'none'}; Senior Gold or higher is needed in both",
        "subscription_pv": f"active subscription PV {pv if pv is not None else 'none'}; "
        "100 PV or more is needed",
        "new_vip_customer": (f"new VIP customer #{vip}" if vip else "no VIP customer")
        + f" personally enrolled since {since} with an active subscription",
        "new_ambassador": (f"new ambassador #{amb}" if amb else "no ambassador")
        + f" personally enrolled since {since} with an active subscription",
    }
    return LeadSponsorVerdict(all(rules.values()), rules, facts, explanations)


LEAD_FACT_COLUMNS = (
    "id",
    "number",
    "name",
    "email",
    "phone",
    "country",
    "last_lead_batch_on",
    "title_rank",
    "paid_rank_first",
    "paid_rank_second",
    "subscription_pv",
    "new_vip_customer_number",
    "new_ambassador_number",
)


@dataclass
class LeadFacts:
    """One row of ``lead_facts_sql``: the account's contact and the facts of the five rules."""

    id: int
    number: int
    name: str
    email: str
    phone: str
    country: str
    last_lead_batch_on: date | None
    title_rank: int | None
    paid_rank_first: int | None
    paid_rank_second: int | None
    subscription_pv: int | None
    new_vip_customer_number: int | None
    new_ambassador_number: int | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> LeadFacts:
        facts = cls(*row[: len(LEAD_FACT_COLUMNS)])
        if isinstance(facts.last_lead_batch_on, str):  # SQLite's raw cursor gives dates as text
            facts.last_lead_batch_on = date.fromisoformat(facts.last_lead_batch_on)
        return facts


def lead_facts_sql(*, as_of: date, account_id: int | None = None) -> tuple[str, list[Any]]:
    """``lead_sponsor_queryset`` as plain SQL text (SQLite and PostgreSQL) and its parameters.

    With ``account_id``: that account's facts (no row for a customer or corporate account). Without:
    only the ambassadors meeting all five rules (``qualified_lead_sponsors``), found by narrowing to
    the title and both paid ranks first (semi-joins), then reading subscription and recruits for
    those few only. The ORM form (five correlated subqueries in the WHERE) took 3 s at a million
    accounts against 0.5 s for this, and compiled slower than it ran on every dashboard view.
    """
    q = connection.ops.quote_name
    account, paid, sub = q(Account._meta.db_table), q(PaidRank._meta.db_table), q(Subscription._meta.db_table)
    first_month, second_month = previous_months(as_of, 2)
    since = add_months(as_of, -LEAD_RECRUIT_WINDOW_MONTHS)
    active_sub, live = SubscriptionStatus.ACTIVE, AccountStatus.ACTIVE
    recruit = (
        f"(SELECT r.number FROM {account} r JOIN {sub} rs ON rs.account_id = r.id AND rs.status = %s "
        f"WHERE r.sponsor_id = a.id AND r.personally_enrolled = %s AND r.kind = %s AND r.status = %s "
        f"AND r.enrolled_on >= %s AND r.enrolled_on <= %s ORDER BY r.enrolled_on DESC, r.number LIMIT 1)"
    )
    rank = f'(SELECT "rank" FROM {paid} WHERE account_id = a.id AND "month" = %s)'
    inner = (
        f"SELECT a.id, a.number, a.name, a.email, a.phone, a.country, a.last_lead_batch_on, a.title_rank, "
        f"{rank} AS paid_rank_first, {rank} AS paid_rank_second, "
        f"(SELECT pv FROM {sub} WHERE account_id = a.id AND status = %s ORDER BY id LIMIT 1) "
        f"AS subscription_pv, "
        f"{recruit} AS new_vip_customer_number, {recruit} AS new_ambassador_number "
        f"FROM {account} a WHERE a.kind = %s AND a.status = %s AND a.is_corporate = %s"
    )
    params: list[Any] = [
        first_month,
        second_month,
        active_sub,
        *[active_sub, True, AccountKind.VIP_CUSTOMER, live, since, as_of],
        *[active_sub, True, AccountKind.AMBASSADOR, live, since, as_of],
        AccountKind.AMBASSADOR,
        live,
        False,
    ]
    if account_id is not None:
        return f"{inner} AND a.id = %s", [*params, account_id]
    paid_at_least = (
        f'EXISTS (SELECT 1 FROM {paid} p WHERE p.account_id = a.id AND p."month" = %s AND p."rank" >= %s)'
    )
    inner += f" AND a.title_rank >= %s AND {paid_at_least} AND {paid_at_least}"
    params += [
        int(LEAD_MIN_TITLE_RANK),
        first_month,
        int(LEAD_MIN_PAID_RANK),
        second_month,
        int(LEAD_MIN_PAID_RANK),
    ]
    columns = ", ".join(f"q.{name}" for name in LEAD_FACT_COLUMNS)
    sql = (
        f"SELECT {columns} FROM ({inner}) q WHERE q.subscription_pv >= %s "  # noqa: S608 - no input
        f"AND q.new_vip_customer_number IS NOT NULL AND q.new_ambassador_number IS NOT NULL"
    )
    return sql, [*params, LEAD_MIN_SUBSCRIPTION_PV]


def lead_sponsor_verdict(*, account: Account, as_of: date | None = None) -> LeadSponsorVerdict:
    """The five rules for one account (one query). Customers and corporate accounts never qualify."""
    day = clock.today(as_of)
    sql, params = lead_facts_sql(as_of=day, account_id=account.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        rules = dict.fromkeys(LEAD_RULES, False)
        why = "only live Brand Ambassadors can sponsor leads"
        return LeadSponsorVerdict(False, rules, {}, dict.fromkeys(LEAD_RULES, why))
    return lead_verdict_from_annotated(LeadFacts.from_row(found), as_of=day)  # type: ignore[arg-type]


# --- Whole status ---------------------------------------------------------------------------------


def account_status(*, account: Account, as_of: date | None = None) -> dict[str, Any]:
    """What ``account_status`` prints and the dashboards show."""
    day = clock.today(as_of)
    verdict = account_activity(account=account, as_of=day)
    lead = lead_sponsor_verdict(account=account, as_of=day)
    commission = commission_qualification(account=account, as_of=day)
    status = status_on(account, day)
    # The sponsor of that day from the history (none before enrollment or before a later listing).
    sponsor_id = None if status == NOT_ENROLLED else sponsor_id_on(account_id=account.pk, day=day)
    sponsor_number = (
        Account.objects.filter(pk=sponsor_id).values_list("number", flat=True).first() if sponsor_id else None
    )
    return {
        "number": account.number,
        "kind": account.kind,
        "status": status,
        "sponsor": sponsor_number,
        "as_of": day.isoformat(),
        "activity": verdict.activity,
        "activity_facts": verdict.as_dict(),
        "clearable": is_clearable(account=account, verdict=verdict),
        "lead_sponsor": lead.as_dict(),
        "commission_qualified": commission.qualified,
        "commission_missing": commission.missing,
    }
