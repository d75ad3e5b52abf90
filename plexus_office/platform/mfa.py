"""Staff second factor: TOTP (django-otp) with single-use recovery codes.

Every staff login to /admin/ needs a verified device for the session: the first time, the staff
member scans a QR code and confirms one code; they then get ten recovery codes, shown once. Enforced
always when ``DJANGO_ENV=production``; ``STAFF_MFA_REQUIRED=false`` turns it off elsewhere only.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from plexus_office.platform.audit import AuditAction, audit_record

RECOVERY_CODES = 10
TOTP_NAME = "authenticator app"
RECOVERY_NAME = "recovery codes"


def mfa_required_for(user: Any) -> bool:
    return bool(settings.STAFF_MFA_REQUIRED and getattr(user, "is_staff", False))


def mfa_enrolled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_totp_pending(*, user: Any) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per user; a reload shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no image request, no third party)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#111", light="#fff")


def mfa_totp_confirm(*, user: Any, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm enrolment with one code; returns the new recovery codes, or None if the code is wrong."""
    if device.user_id != user.pk or not device.verify_token((token or "").strip().replace(" ", "")):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = mfa_recovery_codes_issue(user=user)
        audit_record(actor=user, obj=user, action=AuditAction.MFA_ENROLLED, note=TOTP_NAME)
    return codes


def mfa_recovery_codes_issue(*, user: Any) -> list[str]:
    """Ten fresh single-use codes; the previous ones stop working."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME)
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        audit_record(actor=user, obj=user, action=AuditAction.MFA_RECOVERY_CODES_ISSUED)
    return codes


def mfa_verify(*, user: Any, token: str):
    """The device ``token`` is valid for (TOTP or a recovery code, which is then used up), or None."""
    cleaned = (token or "").strip().replace(" ", "")
    if not cleaned or len(cleaned) > 16:
        return None
    device = match_token(user, cleaned)
    if device is not None and isinstance(device, StaticDevice):
        audit_record(actor=user, obj=user, action=AuditAction.MFA_RECOVERY_CODE_USED)
    return device


def mfa_demo_device(*, user: Any) -> str:
    """Demo staff only: a confirmed TOTP device with a key derived from the username; returns the
    base32 secret to print. Never called outside the demo seeding."""
    key = hashlib.sha256(f"plexus-demo-totp:{user.get_username()}".encode()).hexdigest()[:40]
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name=TOTP_NAME, defaults={"key": key, "confirmed": True}
    )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return secret_base32(device)
