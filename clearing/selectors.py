"""Reads for the clearing pages: the requester's downline with activity facts, and their requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.genealogy import downline_page
from accounts.models import Account, AccountStatus
from accounts.selectors import Activity, ActivityVerdict, activity_from_annotated, with_activity_facts
from clearing.models import ClearRequest, ClearStatus
from clearing.reasons import activity_label, activity_reason, rule_for
from clearing.services import kind_for
from plexus_office import clock
from plexus_office.platform.l10n import day_text

PAGE_SIZE = 25


@dataclass(frozen=True)
class DownlineMember:
    account: Account
    depth: int
    sponsor_number: int | None
    verdict: ActivityVerdict
    open_request: ClearRequest | None

    @property
    def clearable(self) -> bool:
        return (
            self.verdict.activity == Activity.INACTIVE
            and self.account.status == AccountStatus.ACTIVE
            and self.open_request is None
        )

    @property
    def kind_label(self) -> str:
        return str(kind_for(self.account).label)

    @property
    def activity(self) -> str:
        """The verdict's one word, translated ("active", "inactive", "neither")."""
        return activity_label(self.verdict.activity)

    @property
    def reason(self) -> str:
        """The verdict's reason, translated, with the locale's dates."""
        return activity_reason(kind=self.account.kind, verdict=self.verdict)

    @property
    def why_not(self) -> str:
        """Why the member cannot be cleared now (empty when it can), in the active language."""
        if self.account.status != AccountStatus.ACTIVE:
            return _("Cancelled: this account is already closed.")
        if self.open_request is not None:
            return _(
                "A clear request (#%(request)s) is already open; Customer Service decides by %(due)s."
            ) % {"request": self.open_request.pk, "due": day_text(self.open_request.due_on)}
        facts = {"reason": self.reason, "rule": rule_for(self.account)}
        if self.verdict.activity == Activity.ACTIVE:
            return _("Active: %(reason)s. %(rule)s") % facts
        if self.verdict.activity == Activity.NEITHER:
            return _("Neither active nor inactive: %(reason)s. %(rule)s") % facts
        return ""


def downline_search(
    *, account: Account, search: str = "", as_of: date | None = None, page: int = 1
) -> tuple[list[DownlineMember], bool]:
    """One page of ``account``'s downline (any depth) matching a name or account number, with each
    member's activity facts and any open clear request. Three queries: the CTE page, the activity
    annotations of that page, the open requests. Returns (rows, has_next_page)."""
    day = clock.today(as_of)
    page = max(page, 1)
    rows = downline_page(
        account_id=account.pk, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE, search=search
    )
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    ids = [row.id for row in rows]
    annotated = {a.pk: a for a in with_activity_facts(Account.objects.filter(pk__in=ids), as_of=day)}
    open_requests = {
        r.member_id: r for r in ClearRequest.objects.filter(member_id__in=ids, status=ClearStatus.SUBMITTED)
    }
    members = []
    for row in rows:
        member = annotated[row.id]
        members.append(
            DownlineMember(
                account=member,
                depth=row.depth,
                sponsor_number=row.sponsor_number,
                verdict=activity_from_annotated(member, as_of=day),
                open_request=open_requests.get(row.id),
            )
        )
    return members, has_next


_OWN_FIELDS = tuple(field.name for field in ClearRequest._meta.concrete_fields)


def clear_requests_of(*, requester: Account) -> QuerySet[ClearRequest]:
    """The requester's clear requests, newest first, with the member (one query when evaluated)."""
    return (
        ClearRequest.objects.filter(requester=requester)
        .select_related("member")
        # The member is shown by number and name: not its ~50 other columns (bench/README.md §7).
        .only(*_OWN_FIELDS, "member__number", "member__name")
        .order_by("-submitted_at", "-id")
    )
