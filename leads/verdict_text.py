"""What a member reads of their Leads verdict: the missing rules, in the active language.

``accounts.selectors.lead_verdict_from_annotated`` explains each rule in English for the operations
commands (``account_status``); the dashboard says the same from the verdict's facts, translated, with
months in the locale's format. In English the words are exactly the verdict's (tests pin it).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.selectors import LEAD_RULES, LeadSponsorVerdict
from plexus_office.platform.l10n import day_text, month_text


def _or_none(value: object) -> str:
    return str(value) if value not in (None, "") else _("none")


def rule_text(name: str, facts: dict) -> str:
    since = day_text(facts.get("recruits_enrolled_since"))
    if name == "title_rank":
        return _("title rank %(rank)s; Senior Ruby or higher is needed") % {
            "rank": _or_none(facts.get("title_rank"))
        }
    if name == "paid_rank":
        (m1, r1), (m2, r2) = list((facts.get("paid_ranks") or {}).items())[:2]
        return _(
            "paid rank %(month1)s: %(rank1)s, %(month2)s: %(rank2)s; Senior Gold or higher is needed in both"
        ) % {
            "month1": month_text(m1),
            "rank1": _or_none(r1),
            "month2": month_text(m2),
            "rank2": _or_none(r2),
        }
    if name == "subscription_pv":
        return _("active subscription PV %(pv)s; 100 PV or more is needed") % {
            "pv": _or_none(facts.get("subscription_pv"))
        }
    if name == "new_vip_customer":
        if facts.get("new_vip_customer"):
            return _(
                "new VIP customer #%(number)s personally enrolled since %(since)s with an active subscription"
            ) % {
                "number": facts["new_vip_customer"],
                "since": since,
            }
        return _("no VIP customer personally enrolled since %(since)s with an active subscription") % {
            "since": since
        }
    if facts.get("new_ambassador"):
        return _(
            "new ambassador #%(number)s personally enrolled since %(since)s with an active subscription"
        ) % {
            "number": facts["new_ambassador"],
            "since": since,
        }
    return _("no ambassador personally enrolled since %(since)s with an active subscription") % {
        "since": since
    }


def missing_rules(verdict: LeadSponsorVerdict) -> list[str]:
    """The rules not met, in the order of the program's rules."""
    if not verdict.facts:  # no facts: not a live Brand Ambassador (the verdict's own words)
        return [_("only live Brand Ambassadors can sponsor leads")] if not verdict.qualified else []
    return [rule_text(name, verdict.facts) for name in LEAD_RULES if not verdict.rules[name]]
