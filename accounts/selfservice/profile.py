"""Personal information, email change by confirmation link, newsletter consent, "info is current"."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext

from accounts.flags import flags_refresh
from accounts.models import Account, AccountStatus
from accounts.models_selfservice import PendingEmailChange
from accounts.selfservice.common import SelfServiceError, diff, lock_live_account, require_holder
from accounts.validation import ADDRESS_PARTS, clean_address, normalize_phone
from plexus_office import clock
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.notifications import notify, notify_address

EMAIL_CHANGE_VALID_HOURS = 48
PROFILE_FIELDS = (
    "name",
    "phone",
    *(f"mailing_{p}" for p in ADDRESS_PARTS),
    "shipping_recipient",
    *(f"shipping_{p}" for p in ADDRESS_PARTS),
)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def account_profile_update(*, account: Account, actor: User, data: dict[str, Any]) -> Account:
    """Save name, phone, mailing and shipping address (``shipping_same_as_mailing`` copies it).

    Saving the page counts as reviewing the information, so it also restarts the 12-month clock.
    Raises ``ValidationError`` keyed by field and changes nothing when any field is bad.
    """
    require_holder(account=account, actor=actor)
    errors: dict[str, Any] = {}
    name = str(data.get("name", "") or "").strip()
    if not name:
        errors["name"] = gettext("This field is required.")
    values: dict[str, Any] = {"name": name}
    mailing: dict[str, str] = {}
    for prefix in ("mailing_", "shipping_"):
        if prefix == "shipping_" and data.get("shipping_same_as_mailing"):
            continue
        try:
            cleaned = clean_address(data, prefix=prefix)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        if prefix == "mailing_":
            mailing = cleaned
        values.update({f"{prefix}{part}": value for part, value in cleaned.items()})
    if data.get("shipping_same_as_mailing") and mailing:
        values.update({f"shipping_{part}": value for part, value in mailing.items()})
    country = values.get("mailing_country") or account.country or "US"
    try:
        values["phone"] = normalize_phone(str(data.get("phone", "") or ""), country=country)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    values["shipping_recipient"] = str(data.get("shipping_recipient", "") or "").strip()
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = lock_live_account(account)
        changes = diff({f: getattr(locked, f) for f in PROFILE_FIELDS}, values)
        for field, value in values.items():
            setattr(locked, field, value)
        locked.info_reviewed_at = clock.now()
        locked.save(update_fields=[*values, "info_reviewed_at"])
        audit_record(
            actor=actor,
            obj=locked,
            action=AuditAction.PROFILE_UPDATE,
            changes=changes,
            note="Personal information saved by the holder",
        )
        flags_refresh(account=locked)
    return locked


def account_info_confirm(*, account: Account, actor: User) -> Account:
    """The holder says "my information is current": restarts the 12-month review clock."""
    require_holder(account=account, actor=actor)
    with transaction.atomic():
        locked = lock_live_account(account)
        before = locked.info_reviewed_at
        locked.info_reviewed_at = clock.now()
        locked.save(update_fields=["info_reviewed_at"])
        audit_record(
            actor=actor,
            obj=locked,
            action=AuditAction.INFO_CONFIRMED_CURRENT,
            changes={"info_reviewed_at": (before, locked.info_reviewed_at)},
        )
        flags_refresh(account=locked)
    return locked


def _email_taken(email: str, *, exclude_pk: int) -> bool:
    return (
        Account.objects.filter(email__iexact=email, status=AccountStatus.ACTIVE)
        .exclude(pk=exclude_pk)
        .exists()
    )


def email_change_request(*, account: Account, actor: User, new_email: str) -> PendingEmailChange:
    """Send a confirmation link to ``new_email`` and tell the current address; nothing changes yet.

    Re-confirming the current address is allowed only after it bounced (the click proves it works).
    """
    require_holder(account=account, actor=actor)
    email = (new_email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"new_email": gettext("Enter a valid email address.")}) from None
    with transaction.atomic():
        locked = lock_live_account(account)
        if email.lower() == locked.email.lower() and locked.email_bounced_at is None:
            raise ValidationError({"new_email": gettext("This is already your email address.")})
        # No refusal when another live account has this address: saying so would tell anyone whose
        # email it is. The link goes to that address; its owner cannot complete the change, because
        # confirming checks again (email_change_confirm refuses an address in use).
        now = clock.now()
        PendingEmailChange.objects.filter(
            account=locked, confirmed_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=now)
        token = secrets.token_urlsafe(32)
        pending = PendingEmailChange.objects.create(
            account=locked,
            old_email=locked.email,
            new_email=email,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + timedelta(hours=EMAIL_CHANGE_VALID_HOURS),
        )
        link = reverse("account_email_confirm", kwargs={"token": token})
        context = {
            "account": locked,
            "new_email": email,
            "expires_at": pending.expires_at,
            "valid_hours": EMAIL_CHANGE_VALID_HOURS,
        }
        notify_address(
            email=email,
            name=locked.name,
            event="accounts_email_confirm",
            context={**context, "confirm_link": link},
            language=locked.preferred_language,
        )
        if locked.email:
            notify(
                recipient=locked,
                event="accounts_email_change_requested",
                context=context,
                link=reverse("account_personal"),
            )
        audit_record(
            actor=actor,
            obj=locked,
            action=AuditAction.EMAIL_CHANGE_REQUESTED,
            note=f"Confirmation link sent to {email}",
        )
    return pending


def email_change_confirm(*, token: str, actor: User) -> Account:
    """Apply the change whose link was clicked (by the signed-in holder, before it expires)."""
    with transaction.atomic():
        pending = (
            PendingEmailChange.objects.select_for_update()
            .select_related("account")
            .filter(token_hash=_token_hash(token or ""))
            .first()
        )
        if pending is None or pending.cancelled_at is not None:
            raise SelfServiceError(
                gettext("This confirmation link is not valid (a newer one may have been sent).")
            )
        if pending.confirmed_at is not None:
            raise SelfServiceError(gettext("This email change was already confirmed."))
        require_holder(account=pending.account, actor=actor)
        now = clock.now()
        if now > pending.expires_at:
            raise SelfServiceError(
                gettext("This confirmation link has expired; ask for a new one on Personal Information.")
            )
        locked = lock_live_account(pending.account)
        if _email_taken(pending.new_email, exclude_pk=locked.pk):
            raise SelfServiceError(gettext("This email address is now used by another account."))
        old_email = locked.email
        locked.email = pending.new_email
        locked.email_bounced_at = None
        try:
            with transaction.atomic():
                locked.save(update_fields=["email", "email_bounced_at"])
        except IntegrityError:
            raise SelfServiceError(gettext("This email address is now used by another account.")) from None
        if locked.user_id:
            # Password reset mails go to the login's address: keep it the same as the account's.
            User.objects.filter(pk=locked.user_id).update(email=locked.email)
        pending.confirmed_at = now
        pending.save(update_fields=["confirmed_at"])
        audit_record(
            actor=actor,
            obj=locked,
            action=AuditAction.EMAIL_CHANGED,
            changes={"email": (old_email, locked.email)},
        )
        if old_email and old_email.lower() != locked.email.lower():
            notify_address(
                email=old_email,
                name=locked.name,
                event="accounts_email_changed",
                context={"account": locked, "old_email": old_email, "new_email": locked.email},
                language=locked.preferred_language,
            )
        flags_refresh(account=locked)
    return locked


def newsletter_set(*, account: Account, actor: User, opt_in: bool) -> Account:
    """Opt in or out of the Email Newsletter; the consent (or withdrawal) time is kept."""
    require_holder(account=account, actor=actor)
    with transaction.atomic():
        locked = lock_live_account(account)
        before = (locked.newsletter_opt_in, locked.newsletter_consent_at)
        locked.newsletter_opt_in = bool(opt_in)
        locked.newsletter_consent_at = clock.now()
        locked.save(update_fields=["newsletter_opt_in", "newsletter_consent_at"])
        audit_record(
            actor=actor,
            obj=locked,
            action=AuditAction.NEWSLETTER_OPT_IN if opt_in else AuditAction.NEWSLETTER_OPT_OUT,
            changes={
                "newsletter_opt_in": (before[0], locked.newsletter_opt_in),
                "newsletter_consent_at": (before[1], locked.newsletter_consent_at),
            },
        )
    return locked
