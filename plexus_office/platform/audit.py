"""The audit trail.

Two maintained libraries share the work (see docs/decisions.md):
- django-fsm-log records every state transition (who, when, from/to, the note) when a transition is
  decorated with ``@fsm_log_by`` / ``@fsm_log_description`` and called with ``by=`` and
  ``description=``;
- django-auditlog's ``LogEntry`` records everything else: staff actions that are not transitions
  (a claim, a resend) and members' profile and card changes, written explicitly here through
  ``audit_record`` so the entry carries the actor, the action name and the note.

Secret values never reach the trail: a changed secret field is recorded as changed, with its values
replaced by a mask.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django_fsm_log.models import StateLog

from plexus_office.platform.actors import actor_user


class AuditAction(StrEnum):
    """Every action name ``audit_record`` writes (the values are what the trail stores and shows).

    Transitions are not here: django-fsm-log records them under the transition's name.
    """

    BONUS_REVERSED = "bonus_reversed"
    CARD_ADDED = "card_added"
    CARD_DEFAULT_SET = "card_default_set"
    CARD_REMOVED = "card_removed"
    CLAIM = "claim"
    CLEARED = "cleared"
    CONTACT_NOTE_ADDED = "contact_note_added"  # staff workspace: a note on the member's service log
    DROPSHIP_ORDER_PLACED = "dropship_order_placed"
    EMAIL_CHANGE_REQUESTED = "email_change_requested"
    EMAIL_CHANGED = "email_changed"
    ENROLLED = "enrolled"
    INFO_CONFIRMED_CURRENT = "info_confirmed_current"
    LEADS_ASSIGN = "leads_assign"
    MEMBERSHIP_CANCELLED = "membership_cancelled"
    MEMBERSHIP_FEE_PAID = "membership_fee_paid"
    NEWSLETTER_OPT_IN = "newsletter_opt_in"
    NEWSLETTER_OPT_OUT = "newsletter_opt_out"
    PAYOUT = "payout"
    PROFILE_UPDATE = "profile_update"
    REFUND_FAILED = "refund_failed"
    EDIT = "edit"
    MFA_ENROLLED = "mfa_enrolled"
    MFA_RECOVERY_CODES_ISSUED = "mfa_recovery_codes_issued"
    MFA_RECOVERY_CODE_USED = "mfa_recovery_code_used"
    REFUSED_SHIPMENT = "refused_shipment"  # a refused delivery on its way back (refunds)
    RELEASE = "release"
    REPLACEMENT_ORDER = "replacement_order"
    REQUEST = "request"
    RESEND = "resend"
    SHIPPED = "shipped"
    SUBMIT = "submit"
    SUBSCRIPTION_CARD_SET = "subscription_card_set"
    # Autoship and pay (accounts/subscriptions, accounts/pay).
    PAYOUT_COMMITTED = "payout_committed"
    SUBSCRIPTION_CANCELLED = "subscription_cancelled"
    SUBSCRIPTION_CHARGE_DAY_SET = "subscription_charge_day_set"
    SUBSCRIPTION_CHARGE_DECLINED = "subscription_charge_declined"
    SUBSCRIPTION_CHARGE_FAILED = "subscription_charge_failed"
    SUBSCRIPTION_CHARGE_PAID = "subscription_charge_paid"
    SUBSCRIPTION_ITEMS_SET = "subscription_items_set"
    SUBSCRIPTION_PAUSED = "subscription_paused"
    SUBSCRIPTION_RESUMED = "subscription_resumed"
    SUBSCRIPTION_SKIPPED = "subscription_skipped"
    UPGRADED_TO_AMBASSADOR = "upgraded_to_ambassador"


SECRET_MARK = "[hidden]"
# Field names whose values are never written to the trail (card data, credentials, gateway tokens).
SECRET_FIELDS = frozenset(
    {"number", "card_number", "pan", "cvv", "cvc", "password", "token", "gateway_token", "secret"}
)


def _is_secret(field: str) -> bool:
    name = field.lower()
    return name in SECRET_FIELDS or name.endswith(("_token", "_password", "_cvv", "_number_full"))


def _safe_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def _clean_changes(changes: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """``{"field": (old, new)}`` → auditlog's ``{"field": [old, new]}`` with secrets masked."""
    cleaned: dict[str, list[Any]] = {}
    for field, pair in (changes or {}).items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(f"changes[{field!r}] must be an (old, new) pair")
        if _is_secret(field):
            cleaned[field] = [SECRET_MARK, SECRET_MARK]
        else:
            cleaned[field] = [_safe_value(pair[0]), _safe_value(pair[1])]
    return cleaned


def audit_record(
    *,
    actor: Any,
    obj: models.Model,
    action: AuditAction,
    note: str = "",
    changes: Mapping[str, Any] | None = None,
) -> LogEntry:
    """Record that ``actor`` did ``action`` to ``obj`` (in the caller's transaction).

    ``changes`` maps field names to ``(old, new)``; secret fields are recorded as changed with their
    values hidden. ``actor`` may be None for system jobs (the entry then says "system").
    """
    if not action:
        raise ValueError("action is required")
    user = actor_user(actor)
    cleaned = _clean_changes(changes)
    return LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes=cleaned,
        changes_text=", ".join(sorted(cleaned)),
        actor=user,
        actor_email=getattr(user, "email", None) or None,
        additional_data={"action": action, "note": note},
    )


def audit_history(obj: models.Model) -> list[dict[str, Any]]:
    """The object's whole trail, newest first: transitions (fsm-log) and other actions (auditlog).

    Two indexed queries plus one for the users, whatever the length of the history.
    """

    ct = ContentType.objects.get_for_model(obj)
    rows: list[dict[str, Any]] = []
    for log in StateLog.objects.filter(content_type=ct, object_id=obj.pk).select_related("by"):
        rows.append(
            {
                "when": log.timestamp,
                "who": str(log.by) if log.by else "system",
                "action": log.transition,
                "from_state": log.source_state or "",
                "to_state": log.state,
                "note": log.description or "",
                "changes": {},
            }
        )
    for entry in LogEntry.objects.filter(content_type=ct, object_pk=str(obj.pk)).select_related("actor"):
        extra = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        rows.append(
            {
                "when": entry.timestamp,
                "who": str(entry.actor) if entry.actor else (entry.actor_email or "system"),
                "action": extra.get("action") or entry.get_action_display(),
                "from_state": "",
                "to_state": "",
                "note": extra.get("note", ""),
                "changes": entry.changes_dict if hasattr(entry, "changes_dict") else (entry.changes or {}),
            }
        )
    rows.sort(key=lambda r: r["when"], reverse=True)
    return rows
