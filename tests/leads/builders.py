"""Builders for Leads program tests: a sponsor meeting all five rules, a lead under "2"."""

from __future__ import annotations

from datetime import date

from accounts.models import Account, AccountKind, Rank
from plexus_office.dates import previous_months
from tests.factories import (
    AccountFactory,
    AmbassadorFactory,
    PaidRankFactory,
    SubscriptionFactory,
    VipCustomerFactory,
    corporate_sponsor,
)

AS_OF = date(2026, 3, 10)


def qualified_sponsor(
    number: int, *, country: str = "US", last_lead_batch_on: date | None = None, as_of: date = AS_OF, **fields
) -> Account:
    """An ambassador meeting the five rules as of ``as_of`` (recruits enrolled a month before)."""
    sponsor = AmbassadorFactory(
        number=number,
        country=country,
        title_rank=Rank.SENIOR_RUBY,
        last_lead_batch_on=last_lead_batch_on,
        enrolled_on=date(2020, 1, 1),
        phone="+16025550100",
        **fields,
    )
    for month in previous_months(as_of, 2):
        PaidRankFactory(account=sponsor, month=month, rank=Rank.SENIOR_GOLD)
    SubscriptionFactory(account=sponsor, pv=120)
    recruited_on = previous_months(as_of, 1)[0]
    vip = VipCustomerFactory(
        number=number * 10 + 1, sponsor=sponsor, enrolled_on=recruited_on, country=country
    )
    SubscriptionFactory(account=vip, pv=40)
    ambassador = AmbassadorFactory(
        number=number * 10 + 2, sponsor=sponsor, enrolled_on=recruited_on, country=country
    )
    SubscriptionFactory(account=ambassador, pv=100)
    return sponsor


def lead(
    number: int, *, listed: date, country: str = "US", kind: str = AccountKind.VIP_CUSTOMER, **fields
) -> Account:
    """An account enrolled without a sponsor, listed under "2" on ``listed``."""
    return AccountFactory(
        number=number,
        kind=kind,
        sponsor=corporate_sponsor(),
        enrolled_on=listed,
        listed_under_2_on=listed,
        country=country,
        phone="+16025550199",
        **fields,
    )


def sponsor_number_of(number: int) -> int | None:
    account = Account.objects.select_related("sponsor").get(number=number)
    return account.sponsor.number if account.sponsor else None
