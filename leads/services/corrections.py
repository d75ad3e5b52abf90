"""Sponsor Correction Requests: a member asks to be moved to the sponsor they meant; Customer Service decides.

Refusals raise ``CorrectionRefused(code, message, field=...)`` (a ``Refused``) and change nothing.
Approval moves the account
through ``accounts.services.sponsor_change`` (effective-dated history, reason "correction", personal),
which also takes an account still under "2" out of the leads pool.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.genealogy import would_create_loop
from accounts.models import CORPORATE_SPONSOR_NUMBER, Account, AccountKind, AccountStatus, SponsorChangeReason
from accounts.selectors import Activity, account_activity
from accounts.services import sponsor_change
from leads import notifications
from leads.models import CorrectionStatus, SponsorCorrection
from plexus_office import clock
from plexus_office.platform.actors import actor_user
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.errors import Refused
from plexus_office.platform.l10n import count_text, day_text


class CorrectionRefused(Refused):
    """A sponsor correction that cannot be filed or decided."""


def _placed_or_orphan(account: Account) -> bool:
    """Only accounts the Leads program placed, or still under "2", may ask (see docs/decisions.md)."""
    sponsor = account.sponsor  # None without a query when sponsor_id is None
    if sponsor is None:
        return False
    if sponsor.number == CORPORATE_SPONSOR_NUMBER:
        return True
    current = account.sponsorships.filter(valid_to__isnull=True).values_list("reason", flat=True).first()
    return current == SponsorChangeReason.LEAD_PLACEMENT


def _check_sponsor(*, account: Account, sponsor_number: Any, detailed: bool = False) -> Account:
    """The requested sponsor exists, is a live ambassador in good standing, and no loop would form.

    A member is told only that another account cannot be chosen, never why (its fees, orders or
    status are that member's business, and "no account" would enumerate numbers); staff deciding the
    request (``detailed``) see the reason.
    """
    field = "sponsor_number"
    try:
        number = int(str(sponsor_number).strip())
    except (TypeError, ValueError):
        raise CorrectionRefused(
            field,
            _("enter the account number of the sponsor you meant, not %(value)s")
            % {"value": repr(sponsor_number)},
            field=field,
        ) from None

    def third_party(reason: str) -> CorrectionRefused:
        if detailed:  # staff deciding the request (the admin stays English)
            return CorrectionRefused(field, f"account {number} {reason}", field=field)
        return CorrectionRefused(
            field,
            _("account %(number)s cannot be chosen as your sponsor; check the number with them")
            % {"number": number},
            field=field,
        )

    sponsor = Account.objects.filter(number=number).first() if abs(number) < 10**18 else None
    if sponsor is None:
        raise third_party("does not exist")
    if sponsor.pk == account.pk:
        raise CorrectionRefused(field, _("you cannot be your own sponsor"), field=field)
    if sponsor.is_corporate:
        raise third_party("is a corporate account")
    if sponsor.kind != AccountKind.AMBASSADOR:
        raise third_party("is not a Brand Ambassador")
    if sponsor.status != AccountStatus.ACTIVE:
        raise third_party("is cancelled")
    standing = account_activity(account=sponsor)
    if standing.activity != Activity.ACTIVE:
        raise third_party(f"is not in good standing ({standing.reason})")
    if sponsor.pk == account.sponsor_id:
        raise CorrectionRefused(
            field, _("account %(number)s is already your sponsor") % {"number": number}, field=field
        )
    if would_create_loop(account_id=account.pk, new_sponsor_id=sponsor.pk):
        raise CorrectionRefused(
            field,
            _("account %(number)s is in your own downline; that would make a loop") % {"number": number},
            field=field,
        )
    return sponsor


def sponsor_correction_request(
    *, account: Account, sponsor_number: Any, explanation: str = "", actor: Any
) -> SponsorCorrection:
    """File a request for ``account`` to move under ``sponsor_number``; due in 2 business days."""
    if account.status != AccountStatus.ACTIVE:
        raise CorrectionRefused(
            "account", _("a cancelled account cannot ask for a sponsor correction"), field="account"
        )
    if account.is_corporate:
        raise CorrectionRefused(
            "account", _("corporate accounts have no sponsor to correct"), field="account"
        )
    if not _placed_or_orphan(account):
        raise CorrectionRefused(
            "account",
            _(
                "sponsor corrections are for accounts placed by the Leads program or still under "
                "Corporate Sponsor 2; contact Customer Service for other sponsor questions"
            ),
            field="account",
        )
    open_request = SponsorCorrection.objects.filter(
        account=account, status=CorrectionStatus.SUBMITTED
    ).first()
    if open_request is not None:
        raise CorrectionRefused(
            "account",
            _("you already have an open request (#%(request)s, submitted %(submitted)s)")
            % {
                "request": open_request.pk,
                "submitted": day_text(
                    clock.today() if open_request.submitted_at is None else open_request.submitted_at.date()
                ),
            },
            field="account",
        )
    sponsor = _check_sponsor(account=account, sponsor_number=sponsor_number)
    explanation = (explanation or "").strip()
    if len(explanation) > 2000:
        raise CorrectionRefused(
            "too_long",
            _("keep it under %(limit)s characters") % {"limit": count_text(2000)},
            field="explanation",
        )
    user = actor_user(actor)
    try:
        with transaction.atomic():
            correction = SponsorCorrection.objects.create(
                account=account,
                requested_sponsor=sponsor,
                sponsor_at_request_id=account.sponsor_id,
                explanation=explanation,
                submitted_by=user,
                submitted_at=clock.now(),
                due_on=SponsorCorrection.due_date_from(clock.today()),
            )
            audit_record(
                actor=user,
                obj=correction,
                action=AuditAction.SUBMIT,
                note=explanation,
                changes={"requested_sponsor": (None, sponsor.number)},
            )
            notifications.send(
                account,
                notifications.EVENT_CORRECTION_SUBMITTED,
                {"requested": notifications.contact(sponsor), "due_on": correction.due_on.isoformat()},
                "/leads/correction/",
            )
    except IntegrityError:
        # The partial unique index decided a race between two submissions.
        raise CorrectionRefused("account", _("you already have an open request"), field="account") from None
    return correction


def _locked(correction: SponsorCorrection) -> SponsorCorrection:
    return (
        SponsorCorrection.objects.select_for_update()
        .select_related("account", "requested_sponsor")
        .get(pk=correction.pk)
    )


def sponsor_correction_approve(
    *, correction: SponsorCorrection, actor: Any, note: str = ""
) -> SponsorCorrection:
    """Move the account under the requested sponsor; tell the member, the new and the old sponsor."""
    with transaction.atomic():
        locked = _locked(correction)
        if locked.status != CorrectionStatus.SUBMITTED:
            raise CorrectionRefused(
                "already_decided", f"request #{locked.pk} is already {locked.status}", field="status"
            )
        account = Account.objects.select_related("sponsor").get(pk=locked.account_id)
        # The facts may have changed since submission (sponsor cancelled, fee overdue, downline moved).
        sponsor = _check_sponsor(
            account=account, sponsor_number=locked.requested_sponsor.number, detailed=True
        )
        old_sponsor = account.sponsor
        sponsor_change(
            account=account,
            new_sponsor=sponsor,
            reason=SponsorChangeReason.CORRECTION,
            actor=actor,
            personal=True,
        )
        note = (note or "").strip()
        locked.approve(by=actor, description=note or None)
        locked.record_decision(actor=actor, note=note)
        locked.save()
        member = notifications.contact(account)
        notifications.send(
            account,
            notifications.EVENT_CORRECTION_APPROVED,
            {"requested": notifications.contact(sponsor), "note": note},
            "/",
        )
        notifications.send(sponsor, notifications.EVENT_CORRECTION_SPONSOR_GAINED, {"member": member}, "/")
        if old_sponsor is not None and not old_sponsor.is_corporate:
            notifications.send(
                old_sponsor, notifications.EVENT_CORRECTION_SPONSOR_LOST, {"member": member}, "/"
            )
    return locked


def sponsor_correction_reject(*, correction: SponsorCorrection, actor: Any, note: str) -> SponsorCorrection:
    """Refuse with a reason the member is told; the account stays where it is."""
    note = (note or "").strip()
    if not note:
        raise CorrectionRefused(
            "note_required", "a reason is required to reject a request; the member is told it", field="note"
        )
    with transaction.atomic():
        locked = _locked(correction)
        if locked.status != CorrectionStatus.SUBMITTED:
            raise CorrectionRefused(
                "already_decided", f"request #{locked.pk} is already {locked.status}", field="status"
            )
        locked.reject(by=actor, description=note)
        locked.record_decision(actor=actor, note=note)
        locked.save()
        notifications.send(
            locked.account,
            notifications.EVENT_CORRECTION_REJECTED,
            {"requested": notifications.contact(locked.requested_sponsor), "note": note},
            "/leads/correction/",
        )
    return locked
