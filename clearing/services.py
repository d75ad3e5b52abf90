"""Clear requests: filing (with refusals in the contract's order), clearing and rejecting.

Refusals raise ``ClearRefused(code, message)`` and change nothing; the form, the API and
``manage.py request_clear`` all call ``clear_request_submit``. Processing locks the request row first,
so two staff pressing "clear" at once are serialised and the second sees a closed request.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.flags import flags_refresh
from accounts.genealogy import is_in_downline
from accounts.history import NOT_ENROLLED, is_in_downline_on, status_on
from accounts.models import (
    CORPORATE_SPONSOR_NUMBER,
    Account,
    AccountKind,
    AccountStatus,
    SavedCard,
    SponsorChangeReason,
    Subscription,
    SubscriptionStatus,
)
from accounts.selectors import Activity, account_activity
from accounts.services import sponsor_change, sponsor_change_many
from clearing.cards import cleared_cards_delete_at_gateway
from clearing.models import ClearKind, ClearRequest, ClearStatus
from clearing.reasons import activity_reason, rule_for
from clearing.tasks import cleared_cards_delete_queue
from plexus_office import clock
from plexus_office.platform.actors import actor_user
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.errors import Refused
from plexus_office.platform.l10n import count_text, day_text
from plexus_office.platform.notifications import notify
from plexus_office.platform.rendering import recipient_language

__all__ = [
    "ClearProcessingError",
    "ClearRefused",
    "clear_request_check",
    "clear_request_clear",
    "clear_request_reject",
    "clear_request_submit",
    "cleared_cards_delete_at_gateway",
    "not_in_downline",
    "rule_for",
]

REASON_MAX_LENGTH = 2000
CLEARED_CANCEL_REASON = "cleared"

EVENT_SUBMITTED = "clearing_submitted"
EVENT_CLEARED = "clearing_cleared"
EVENT_MEMBER_CLEARED = "clearing_member_cleared"
EVENT_REJECTED = "clearing_rejected"


class ClearRefused(Refused):
    """A request that cannot be filed: ``code`` is the contract's refusal code."""

    default_field = "member"


class ClearProcessingError(Refused):
    """A processing step that cannot be done (already decided, missing note)."""


_user = actor_user  # the services' short name for it


def _contact(account: Account) -> dict[str, Any]:
    # The kind label stays lazy: notify renders it in the recipient's language.
    return {"number": account.number, "name": account.name, "kind": AccountKind(account.kind).label}


def kind_for(member: Account) -> ClearKind:
    return ClearKind.AMBASSADOR if member.kind == AccountKind.AMBASSADOR else ClearKind.CUSTOMER


def clear_request_check(*, requester: Account, member: Account, as_of: date | None = None) -> dict[str, Any]:
    """Every refusal, in the contract's order; returns the member's activity facts when none applies."""
    day = clock.today(as_of)
    if requester.is_corporate:
        raise ClearRefused(
            "requester_not_ambassador",
            _(
                "Account %(number)s is a corporate account: "
                "only an upline Brand Ambassador can ask to clear a member."
            )
            % {"number": requester.number},
            field="requester",
        )
    if requester.kind != AccountKind.AMBASSADOR:
        raise ClearRefused(
            "requester_not_ambassador",
            _("Account %(number)s is %(kind)s: only an upline Brand Ambassador can ask to clear a member.")
            % {"number": requester.number, "kind": requester.get_kind_display()},
            field="requester",
        )
    requester_status = (
        requester.status if requester.status != AccountStatus.ACTIVE else status_on(requester, day)
    )
    if requester_status != AccountStatus.ACTIVE:
        if requester_status == NOT_ENROLLED:
            message = _(
                "Account %(number)s is not enrolled yet on %(day)s: "
                "only a live Brand Ambassador can ask to clear a member."
            )
        else:
            message = _(
                "Account %(number)s is cancelled on %(day)s: "
                "only a live Brand Ambassador can ask to clear a member."
            )
        raise ClearRefused(
            "requester_not_ambassador",
            message % {"number": requester.number, "day": day_text(day)},
            field="requester",
        )
    if member.pk == requester.pk:
        raise ClearRefused(
            "not_in_downline",
            _("Account %(number)s is your own account, not a member of your downline.")
            % {"number": member.number},
        )
    # The live tree, and for an explicit day (operations commands) also the sponsor history of that
    # day: a request is filed now, so a member cleared since is out even when asked about a past day.
    in_downline = is_in_downline(member_id=member.pk, upline_id=requester.pk) and (
        as_of is None or is_in_downline_on(member_id=member.pk, upline_id=requester.pk, day=day)
    )
    if not in_downline:
        raise not_in_downline(number=member.number, requester_number=requester.number)
    open_request = ClearRequest.objects.filter(member=member, status=ClearStatus.SUBMITTED).first()
    if open_request is not None:
        raise ClearRefused(
            "already_requested",
            _(
                "Account %(number)s already has an open clear request (#%(request)s, submitted "
                "%(submitted)s, decision due %(due)s)."
            )
            % {
                "number": member.number,
                "request": open_request.pk,
                "submitted": timezone_day(open_request),
                "due": day_text(open_request.due_on),
            },
        )
    if member.status != AccountStatus.ACTIVE:  # cancelled now: a request filed now cannot clear it
        raise ClearRefused(
            "member_cancelled",
            _("Account %(number)s was already cancelled (%(when)s).")
            % {"number": member.number, "when": cancelled_day(member)},
        )
    verdict = account_activity(account=member, as_of=day)
    facts = {
        "number": member.number,
        "day": day_text(day),
        "reason": activity_reason(kind=member.kind, verdict=verdict),
        "rule": rule_for(member),
    }
    if verdict.activity == Activity.ACTIVE:
        raise ClearRefused(
            "member_active", _("Account %(number)s is active as of %(day)s: %(reason)s. %(rule)s") % facts
        )
    if verdict.activity == Activity.NEITHER:
        raise ClearRefused(
            "member_not_inactive",
            _("Account %(number)s is neither active nor inactive as of %(day)s: %(reason)s. %(rule)s")
            % facts,
        )
    return verdict.as_dict()


def not_in_downline(*, number: Any, requester_number: int) -> ClearRefused:
    """The one answer for a member outside the downline and for no such account (not enumerable)."""
    return ClearRefused(
        "not_in_downline",
        _(
            "Account %(number)s is not in the downline of account %(requester)s: "
            "only an upline ambassador of the member can ask to clear it."
        )
        % {"number": number, "requester": requester_number},
        field="member",
    )


def timezone_day(request: ClearRequest) -> str:
    return day_text(timezone.localdate(request.submitted_at)) if request.submitted_at else _("earlier")


def cancelled_day(member: Account) -> str:
    return day_text(member.cancelled_at.date()) if member.cancelled_at else _("earlier")


def clear_request_submit(
    *, requester: Account, member: Account, reason: str = "", actor: Any, as_of: date | None = None
) -> ClearRequest:
    """File a Customer or Ambassador Clear Request (by the member's kind); due in 1 business day."""
    day = clock.today(as_of)
    clean_reason = (reason or "").strip()
    if len(clean_reason) > REASON_MAX_LENGTH:
        raise ClearRefused(
            "invalid_reason",
            _("reason: keep it under %(limit)s characters.") % {"limit": count_text(REASON_MAX_LENGTH)},
            field="reason",
        )
    facts = clear_request_check(requester=requester, member=member, as_of=as_of)
    user = _user(actor)
    try:
        with transaction.atomic():
            request = ClearRequest.objects.create(
                kind=kind_for(member),
                requester=requester,
                member=member,
                reason=clean_reason,
                submitted_by=user,
                submitted_at=clock.now() if as_of is None else _noon(day),
                as_of=day,
                due_on=ClearRequest.due_date_from(day),
                facts=facts,
            )
            audit_record(
                actor=user,
                obj=request,
                action=AuditAction.SUBMIT,
                note=clean_reason,
                changes={"member": (None, member.number), "requester": (None, requester.number)},
            )
            notify(
                recipient=requester,
                event=EVENT_SUBMITTED,
                context={
                    "request": request,
                    "member": _contact(member),
                    "due_on": request.due_on.isoformat(),
                },
                link="/clearing/",
            )
    except IntegrityError:
        # The partial unique index decided a race between two submissions for the same member.
        open_request = ClearRequest.objects.filter(member=member, status=ClearStatus.SUBMITTED).first()
        if open_request is None:
            message = _("Account %(number)s already has an open clear request.")
        else:
            message = _("Account %(number)s already has an open clear request (#%(request)s).")
        raise ClearRefused(
            "already_requested",
            message % {"number": member.number, "request": open_request.pk if open_request else ""},
        ) from None
    return request


def _noon(day: date):
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _locked(request: ClearRequest) -> ClearRequest:
    locked = ClearRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != ClearStatus.SUBMITTED:
        raise ClearProcessingError(
            "already_decided", f"request #{locked.pk} is already {locked.status}", field="status"
        )
    return locked


def _decide(locked: ClearRequest, *, transition: str, actor: Any, note: str) -> None:
    getattr(locked, transition)(by=_user(actor), description=note or None)
    locked.record_decision(actor=actor, note=note)
    locked.save()


def _reject(locked: ClearRequest, *, actor: Any, note: str) -> ClearRequest:
    _decide(locked, transition="reject", actor=actor, note=note)
    member = Account.objects.get(pk=locked.member_id)
    notify(
        recipient=locked.requester,
        event=EVENT_REJECTED,
        context={"request": locked, "member": _contact(member), "note": note},
        link="/clearing/",
    )
    return locked


def clear_request_reject(*, request: ClearRequest, actor: Any, note: str) -> ClearRequest:
    """Customer Service refuses with a reason; the requester is told. The member is untouched."""
    clean = (note or "").strip()
    if not clean:
        raise ClearProcessingError(
            "note_required",
            "a reason is required to reject a request; the requester is told it",
            field="note",
        )
    with transaction.atomic():
        locked = _reject(_locked(request), actor=actor, note=clean)
    request.refresh_from_db()
    return locked


def clear_request_clear(*, request: ClearRequest, actor: Any, note: str = "") -> ClearRequest:
    """Clear the member if still inactive today; otherwise reject automatically with the reason.

    One transaction: cancel the account, end its subscription, mark its cards removed, roll its direct
    downline up to its sponsor, take it out of the genealogy, notify. The cards are deleted at the
    gateway by a task queued after commit (a rollback must never have deleted a card).
    """
    with transaction.atomic():
        locked = _clear_or_reject(request=request, actor=actor, note=note)
    request.refresh_from_db()  # the caller's copy: a protected state field is refreshed, never assigned
    return locked


def _clear_or_reject(*, request: ClearRequest, actor: Any, note: str) -> ClearRequest:
    day = clock.today()
    locked = _locked(request)
    member = Account.objects.select_for_update().get(pk=locked.member_id)
    requester = Account.objects.only("preferred_language").get(pk=locked.requester_id)
    if member.status != AccountStatus.ACTIVE:
        # The automatic note is addressed to the requester: written in their language.
        with translation.override(recipient_language(requester)):
            note = _("Member already cancelled (%(when)s); nothing to clear.") % {
                "when": cancelled_day(member)
            }
        return _reject(locked, actor=actor, note=note)
    verdict = account_activity(account=member, as_of=day)
    locked.processing_facts = verdict.as_dict()
    if verdict.activity != Activity.INACTIVE:
        with translation.override(recipient_language(requester)):
            facts = {
                "number": member.number,
                "day": day_text(day),
                "reason": activity_reason(kind=member.kind, verdict=verdict),
                "rule": rule_for(member),
            }
            if verdict.activity == Activity.ACTIVE:
                note = (
                    _("Not cleared: account %(number)s is active as of %(day)s (%(reason)s). %(rule)s")
                    % facts
                )
            else:
                note = (
                    _(
                        "Not cleared: account %(number)s is neither active nor inactive as of %(day)s "
                        "(%(reason)s). %(rule)s"
                    )
                    % facts
                )
        return _reject(locked, actor=actor, note=note)
    sponsor = Account.objects.filter(pk=member.sponsor_id).first() if member.sponsor_id is not None else None
    rolled = _clear_member(member=member, sponsor=sponsor, actor=actor, day=day)
    clean = (note or "").strip()
    _decide(locked, transition="clear", actor=actor, note=clean)
    member_contact = _contact(member)
    notify(
        recipient=locked.requester,
        event=EVENT_CLEARED,
        context={
            "request": locked,
            "member": member_contact,
            "rolled_up": rolled,
            "sponsor": _contact(sponsor) if sponsor else None,
        },
        link="/clearing/",
    )
    notify(recipient=member, event=EVENT_MEMBER_CLEARED, context={"member": member_contact})
    cleared_cards_delete_queue(member.pk)
    return locked


def _clear_member(*, member: Account, sponsor: Account | None, actor: Any, day: date) -> int:
    """The account-side effects of clearing, inside the caller's transaction. Returns the roll-up count."""
    now = clock.now()
    member.cancel()
    member.cancelled_at = now
    member.cancel_reason = CLEARED_CANCEL_REASON
    member.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    ended = (
        Subscription.objects.filter(account=member)
        .exclude(status=SubscriptionStatus.CANCELLED)
        .update(status=SubscriptionStatus.CANCELLED, ended_on=day)
    )
    cards = SavedCard.objects.filter(account=member, removed_at__isnull=True).update(removed_at=now)
    # A member without a sponsor (never expected) hands its downline to Corporate Sponsor "2".
    target = sponsor or Account.objects.get(number=CORPORATE_SPONSOR_NUMBER)
    rolled = _roll_up(member=member, new_sponsor=target, actor=actor, day=day)
    sponsor_change(account=member, new_sponsor=None, reason=SponsorChangeReason.CLEARING, actor=actor, on=day)
    audit_record(
        actor=_user(actor),
        obj=member,
        action=AuditAction.CLEARED,
        note=f"cleared; {rolled} direct downline member(s) rolled up to account {target.number}",
        changes={
            "status": (AccountStatus.ACTIVE, AccountStatus.CANCELLED),
            "sponsor": (sponsor.number if sponsor else None, None),
            **({"subscription": ("active", "cancelled")} if ended else {}),
            **({"cards_removed": (0, cards)} if cards else {}),
        },
    )
    flags_refresh(account=member)
    return rolled


def _roll_up(*, member: Account, new_sponsor: Account, actor: Any, day: date) -> int:
    """Move the member's direct downline under ``new_sponsor`` (history reason "clearing_roll_up").

    Roll-ups are not personal enrollments of the new sponsor (they do not count for the Leads rules).
    """
    children = list(
        Account.objects.select_for_update().filter(sponsor=member).order_by("pk").values_list("pk", flat=True)
    )
    if not children:
        return 0
    sponsor_change_many(
        moves=[(pk, new_sponsor.pk) for pk in children],
        reason=SponsorChangeReason.CLEARING_ROLL_UP,
        actor=actor,
        on=day,
    )
    return len(children)
