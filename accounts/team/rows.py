"""Shapes shared by the history walk (selectors.py) and today's path report (today.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.history import DownlineMember
from accounts.models import SponsorChangeReason

JOINED_LABELS = {
    "personal": _("Personally enrolled"),
    "leads": _("Placed by Leads"),
    "roll_up": _("Rolled up"),
    "correction": _("Sponsor correction"),
}


def joined_how(reason: str, personal: bool) -> str:
    if reason == SponsorChangeReason.LEAD_PLACEMENT:
        return "leads"
    if reason == SponsorChangeReason.CLEARING_ROLL_UP:
        return "roll_up"
    if reason == SponsorChangeReason.CORRECTION:
        return "correction"
    return "personal" if personal else "leads"


@dataclass
class ReportRow:
    member: DownlineMember
    facts: dict[str, Any]
    group_volume: int | None = 0  # None: not computed (a page of a past day)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.member.as_dict(),
            **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.facts.items()},
            "group_volume": self.group_volume,
        }
