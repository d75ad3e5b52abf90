"""Flags for outdated or inaccurate information (business-rules §2), written once as conditions.

Each flag is a condition on ``Account`` (columns plus ``Exists`` subqueries), so the same
definition serves one account (``flags_refresh``: one read, then the small diff) and every account
(``flags_refresh_all``: per flag one set-based DELETE and one INSERT … SELECT, no Python loop over
members). Flags are stored rows so staff can filter on them in admin; a row disappears when its
cause is fixed.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib import admin
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Account, AccountStatus, SavedCard, Subscription, SubscriptionStatus
from accounts.models_billing import ChargeStatus, SubscriptionCharge
from accounts.models_selfservice import AccountFlag, FlagCode
from plexus_office import clock
from plexus_office.dates import add_months

EXPIRING_WITHIN_DAYS = 30
REVIEW_MONTHS = 12
# Subscriptions that will charge again: a paused one resumes on the same card, so it needs one too.
LIVE_SUBSCRIPTION = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED)
REGION_REQUIRED = ("US", "CA")


@dataclass(frozen=True)
class FlagInfo:
    code: str
    label: str
    explanation: str
    fix_url_name: str
    fix_label: str


FLAG_INFO: dict[str, FlagInfo] = {
    FlagCode.EMAIL_BOUNCED: FlagInfo(
        FlagCode.EMAIL_BOUNCED,
        FlagCode.EMAIL_BOUNCED.label,
        "Email to your address could not be delivered.",
        "account_personal",
        "Update or re-confirm your email",
    ),
    FlagCode.SUBSCRIPTION_CARD_MISSING: FlagInfo(
        FlagCode.SUBSCRIPTION_CARD_MISSING,
        FlagCode.SUBSCRIPTION_CARD_MISSING.label,
        "Your monthly subscription has no card to pay it.",
        "account_cards",
        "Choose a card for your subscription",
    ),
    FlagCode.SUBSCRIPTION_CARD_EXPIRED: FlagInfo(
        FlagCode.SUBSCRIPTION_CARD_EXPIRED,
        FlagCode.SUBSCRIPTION_CARD_EXPIRED.label,
        "The card paying your subscription has expired.",
        "account_cards",
        "Add a new card for your subscription",
    ),
    FlagCode.SUBSCRIPTION_DECLINED: FlagInfo(
        FlagCode.SUBSCRIPTION_DECLINED,
        FlagCode.SUBSCRIPTION_DECLINED.label,
        "Your card was declined for your monthly subscription order.",
        "account_cards",
        "Add or choose a working card: we charge it at once",
    ),
    FlagCode.CARD_EXPIRING: FlagInfo(
        FlagCode.CARD_EXPIRING,
        FlagCode.CARD_EXPIRING.label,
        "A saved card expires within 30 days while your subscription is active.",
        "account_cards",
        "Add a new card or remove the old one",
    ),
    FlagCode.SHIPPING_INCOMPLETE: FlagInfo(
        FlagCode.SHIPPING_INCOMPLETE,
        FlagCode.SHIPPING_INCOMPLETE.label,
        "Your shipping address is missing street, city, state, postal code or country.",
        "account_personal",
        "Complete your shipping address",
    ),
    FlagCode.INFO_NOT_REVIEWED: FlagInfo(
        FlagCode.INFO_NOT_REVIEWED,
        FlagCode.INFO_NOT_REVIEWED.label,
        "Your information has not been reviewed for 12 months.",
        "account_personal",
        "Review it and confirm it is current",
    ),
}


def _expiring_months(day: date) -> list[tuple[int, int]]:
    """(year, month) of cards whose last valid day falls within [day, day + 30 days]."""
    end = day + timedelta(days=EXPIRING_WITHIN_DAYS)
    months: list[tuple[int, int]] = []
    year, month = day.year, day.month
    while True:
        last_day = date(year, month, calendar.monthrange(year, month)[1])
        if last_day > end:
            break
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _before_month(prefix: str, day: date) -> Q:
    """Card expiry (year, month) earlier than ``day``'s month: the card no longer works."""
    return Q(**{f"{prefix}exp_year__lt": day.year}) | Q(
        **{f"{prefix}exp_year": day.year, f"{prefix}exp_month__lt": day.month}
    )


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def flag_conditions(*, as_of: date) -> dict[str, Q]:
    """The condition of every flag on ``Account`` rows, as of a day."""
    live_sub = Subscription.objects.filter(account=OuterRef("pk"), status__in=LIVE_SUBSCRIPTION)
    usable_card = Q(card__isnull=False, card__removed_at__isnull=True)
    expiring = _expiring_months(as_of)
    expiring_q = Q(pk__in=[])
    for year, month in expiring:
        expiring_q |= Q(exp_year=year, exp_month=month)
    expiring_card = SavedCard.objects.filter(account=OuterRef("pk"), removed_at__isnull=True).filter(
        expiring_q
    )
    region_missing = Q(shipping_region="") & Q(shipping_country__in=REGION_REQUIRED)
    cutoff = add_months(as_of, -REVIEW_MONTHS)  # reviewed on this day or earlier: 12 months have passed
    return {
        FlagCode.EMAIL_BOUNCED: Q(email_bounced_at__isnull=False),
        FlagCode.SUBSCRIPTION_CARD_MISSING: Q(Exists(live_sub.exclude(usable_card))),
        FlagCode.SUBSCRIPTION_CARD_EXPIRED: Q(
            Exists(live_sub.filter(usable_card).filter(_before_month("card__", as_of)))
        ),
        # Open while a month's charge waits for a retry, or was given up and the subscription paused.
        FlagCode.SUBSCRIPTION_DECLINED: Q(
            Exists(
                SubscriptionCharge.objects.filter(
                    account=OuterRef("pk"),
                    status__in=(ChargeStatus.DECLINED, ChargeStatus.FAILED),
                    subscription__status__in=LIVE_SUBSCRIPTION,
                )
            )
        ),
        FlagCode.CARD_EXPIRING: Q(
            Exists(Subscription.objects.filter(account=OuterRef("pk"), status=SubscriptionStatus.ACTIVE))
        )
        & Q(Exists(expiring_card)),
        FlagCode.SHIPPING_INCOMPLETE: Q(shipping_street="")
        | Q(shipping_city="")
        | Q(shipping_postal_code="")
        | Q(shipping_country="")
        | region_missing,
        FlagCode.INFO_NOT_REVIEWED: Q(info_reviewed_at__lt=_start_of_day(cutoff + timedelta(days=1)))
        | Q(info_reviewed_at__isnull=True, enrolled_on__lte=cutoff),
    }


def flaggable_accounts() -> QuerySet[Account]:
    """Only live member accounts are flagged; corporate accounts have no holder to fix anything."""
    return Account.objects.filter(status=AccountStatus.ACTIVE, is_corporate=False)


def account_flag_codes(*, account: Account, as_of: date | None = None) -> list[str]:
    """The flags ``account`` should carry now (one query)."""
    day = clock.today(as_of)
    conditions = flag_conditions(as_of=day)
    annotations = {
        f"flag_{code}": Case(
            When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
        for code, condition in conditions.items()
    }
    row = flaggable_accounts().filter(pk=account.pk).annotate(**annotations).values(*annotations).first()
    if row is None:
        return []
    return [code for code in conditions if row[f"flag_{code}"]]


def open_flags(*, account: Account) -> list[FlagInfo]:
    """Stored flags of one account with their fix links, in a stable order (one query)."""
    # order_by(): the model's ordering would join accounts just to sort one account's rows.
    codes = set(AccountFlag.objects.filter(account=account).order_by().values_list("code", flat=True))
    return [FLAG_INFO[code] for code in FlagCode.values if code in codes]


def flags_refresh(*, account: Account, as_of: date | None = None) -> list[str]:
    """Bring one account's stored flags in line with its data; returns the codes now open.

    Called by every self-service write, inside its transaction, after the change is saved.
    """
    codes = account_flag_codes(account=account, as_of=as_of)
    with transaction.atomic():
        AccountFlag.objects.filter(account=account).exclude(code__in=codes).delete()
        AccountFlag.objects.bulk_create(
            [AccountFlag(account=account, code=code, raised_at=clock.now()) for code in codes],
            ignore_conflicts=True,
        )
    return codes


def account_email_hard_bounced(account_id: int, email: str) -> None:
    """The outbox's hard-bounce hook: flag the address, if it is still the one we wrote to.

    Registered in ``AccountsConfig.ready`` (the platform imports no domain app).
    """
    marked = Account.objects.filter(pk=account_id, email__iexact=email, email_bounced_at__isnull=True).update(
        email_bounced_at=timezone.now()
    )
    if marked:
        flags_refresh(account=Account.objects.get(pk=account_id))


def flags_refresh_all(*, as_of: date | None = None) -> dict[str, int]:
    """Recompute every flag for every account, set-based. Returns the open count per flag.

    Idempotent: running it twice leaves the same rows (and keeps ``raised_at`` of flags that stay).
    """
    day = clock.today(as_of)
    now = clock.now()
    counts: dict[str, int] = {}
    table = AccountFlag._meta.db_table
    for code, condition in flag_conditions(as_of=day).items():
        flagged = flaggable_accounts().filter(condition)
        with transaction.atomic():
            AccountFlag.objects.filter(code=code).exclude(account_id__in=flagged.values("pk")).delete()
            missing = flagged.exclude(Exists(AccountFlag.objects.filter(account=OuterRef("pk"), code=code)))
            sql, params = missing.values(flag_account_id=F("pk")).query.sql_with_params()
            with connection.cursor() as cursor:
                # One INSERT … SELECT per flag; a concurrent single-account refresh may win a row first.
                cursor.execute(
                    f"INSERT INTO {table} (account_id, code, raised_at) "  # noqa: S608 - fixed names
                    f"SELECT s.flag_account_id, %s, %s FROM ({sql}) s "
                    "WHERE true ON CONFLICT (account_id, code) DO NOTHING",
                    [code, connection.ops.adapt_datetimefield_value(now), *params],
                )
        counts[code] = AccountFlag.objects.filter(code=code).count()
    return counts


class FlagListFilter(admin.SimpleListFilter):
    """Admin list filter on ``Account``: any flag, or one flag in particular."""

    title = "flagged for outdated information"
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return [("any", "Any flag"), ("none", "Not flagged"), *FlagCode.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        flags = AccountFlag.objects.filter(account=OuterRef("pk"))
        if value == "any":
            return queryset.filter(Exists(flags))
        if value == "none":
            return queryset.exclude(Exists(flags))
        if value in FlagCode.values:
            return queryset.filter(Exists(flags.filter(code=value)))
        return queryset
