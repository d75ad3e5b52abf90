"""The activity rule and a member's activity reason as members read them, in the active language.

``accounts.selectors.decide_activity`` states its reason in English for the operations commands; the
clearing pages, refusals and emails say the same from the verdict's dates, translated, with dates
in the locale's format. In English the words are exactly the verdict's (tests pin it), so the
commands' outputs do not change.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import Account, AccountKind
from accounts.selectors import (
    AMBASSADOR_FEE_PAID_MONTHS,
    AMBASSADOR_NO_ORDER_MONTHS,
    AMBASSADOR_OVERDUE_MONTHS,
    CUSTOMER_ACTIVE_MONTHS,
    Activity,
    ActivityVerdict,
)
from plexus_office.dates import add_months
from plexus_office.platform.l10n import day_text


def rule_for(member: Account) -> str:
    if member.kind == AccountKind.AMBASSADOR:
        return _(
            "An ambassador can be cleared only when inactive: no order in the last 6 months and the annual "
            "membership fee past due by 6 months or more."
        )
    return _("A customer is inactive, and can be cleared, after 12 months with no order.")


def activity_reason(*, kind: str, verdict: ActivityVerdict) -> str:
    """Why the verdict is what it is (the words of ``decide_activity``, translated)."""
    as_of, last_order = verdict.as_of, verdict.last_order_on
    if kind != AccountKind.AMBASSADOR:
        since = add_months(as_of, -CUSTOMER_ACTIVE_MONTHS)
        if verdict.activity == Activity.ACTIVE and last_order is not None:
            return _("ordered on %(ordered)s, within 12 months (on or after %(since)s)") % {
                "ordered": day_text(last_order),
                "since": day_text(since),
            }
        return _("no order on or after %(since)s (12 months before %(day)s)") % {
            "since": day_text(since),
            "day": day_text(as_of),
        }
    paid, due = verdict.last_fee_paid_on, verdict.membership_fee_due_on
    if paid is not None and paid >= add_months(as_of, -AMBASSADOR_FEE_PAID_MONTHS):
        return _("membership fee paid on %(paid)s, within 12 months") % {"paid": day_text(paid)}
    if due is None:
        return _("no membership fee due date on file: not overdue")
    six_months_on = add_months(due, AMBASSADOR_OVERDUE_MONTHS)
    if as_of < six_months_on:
        return _(
            "membership fee due %(due)s is less than 6 months overdue (6 months reached on %(reached)s)"
        ) % {"due": day_text(due), "reached": day_text(six_months_on)}
    orders_since = add_months(as_of, -AMBASSADOR_NO_ORDER_MONTHS)
    if last_order is not None and last_order >= orders_since:
        return _(
            "membership fee due %(due)s is 6+ months overdue, but ordered on %(ordered)s, within 6 months "
            "(on or after %(since)s)"
        ) % {"due": day_text(due), "ordered": day_text(last_order), "since": day_text(orders_since)}
    return _(
        "membership fee due %(due)s is 6+ months overdue (since %(reached)s) and no order on or after "
        "%(since)s"
    ) % {"due": day_text(due), "reached": day_text(six_months_on), "since": day_text(orders_since)}


def activity_label(activity: str) -> str:
    return {
        Activity.ACTIVE: pgettext("member activity", "active"),
        Activity.INACTIVE: pgettext("member activity", "inactive"),
        Activity.NEITHER: pgettext("member activity", "neither"),
    }.get(activity, activity)
