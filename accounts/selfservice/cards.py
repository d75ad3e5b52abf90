"""Manage Cards: add (tokenized by the gateway), make default, remove, pay the subscription with.

The card number and CVV exist only as arguments on their way to ``tokenize``: they are never
saved, logged, audited or put in an exception message here.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from accounts.flags import flags_refresh
from accounts.models import Account, AccountStatus, SavedCard, Subscription, SubscriptionStatus
from accounts.selfservice.common import SelfServiceError, lock_live_account, require_holder
from accounts.subscriptions.charging import outstanding_charge, subscription_charge_retry
from plexus_office import clock
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.gateway import GatewayError, GatewayTimeout, card_brand, get_gateway, luhn_valid

logger = logging.getLogger(__name__)
LIVE_SUBSCRIPTION = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED)


def check_card_input(*, number: str, exp_month: int, exp_year: int, cvv: str) -> str:
    """Luhn, brand, expiry and CVV checked here, before the gateway sees anything; returns digits."""
    errors: dict[str, str] = {}
    digits = "".join(ch for ch in str(number or "") if ch not in " -")
    brand = ""
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        errors["number"] = gettext("Enter the 13 to 19 digits on the card.")
    elif not luhn_valid(digits):
        errors["number"] = gettext("This card number is not valid; check the digits.")
    else:
        brand = card_brand(digits)
        if not brand:
            errors["number"] = gettext("We accept Visa, Mastercard, American Express and Discover.")
    try:
        month, year = int(exp_month), int(exp_year)
    except (TypeError, ValueError):
        month, year = 0, 0
    if year and year < 100:
        year += 2000
    today = clock.today()
    if not 1 <= month <= 12:
        errors["exp_month"] = gettext("Choose the expiry month (1 to 12).")
    elif not 2000 <= year <= today.year + 25:
        errors["exp_year"] = gettext("Enter the expiry year printed on the card.")
    elif (year, month) < (today.year, today.month):
        errors["exp_year"] = gettext("This card expired (%(expiry)s).") % {"expiry": f"{month:02d}/{year}"}
    cvv_text = str(cvv or "").strip()
    cvv_len = 4 if brand == "Amex" else 3
    if not cvv_text.isdigit() or len(cvv_text) != cvv_len:
        errors["cvv"] = gettext("Enter the %(count)s-digit security code.") % {"count": cvv_len}
    if errors:
        raise ValidationError(errors)
    return digits


def _live_subscription(account: Account) -> Subscription | None:
    return (
        # Lock only the subscription row: the card join is an outer join PostgreSQL cannot lock.
        Subscription.objects.select_for_update(of=("self",))
        .filter(account=account, status__in=LIVE_SUBSCRIPTION)
        .select_related("card")
        .first()
    )


def _own_card(*, account: Account, card_id: int) -> SavedCard:
    card = (
        SavedCard.objects.select_for_update()
        .filter(pk=card_id, account=account, removed_at__isnull=True)
        .first()
    )
    if card is None:
        raise SelfServiceError({"card": gettext("No such card on your account.")})
    return card


def card_add(
    *,
    account: Account,
    actor: User,
    number: str,
    exp_month: int,
    exp_year: int,
    cvv: str,
    holder_name: str,
    postal_code: str,
    make_default: bool = False,
) -> SavedCard:
    """Tokenize a card at the gateway and keep only token, brand, last four, expiry and postal code.

    The first card becomes the default; a live subscription without a usable card starts using it.
    """
    require_holder(account=account, actor=actor)
    if account.status != AccountStatus.ACTIVE:
        raise SelfServiceError(
            gettext("This account is cancelled; its information can no longer be changed.")
        )
    digits = check_card_input(number=number, exp_month=exp_month, exp_year=exp_year, cvv=cvv)
    name = (holder_name or "").strip()
    postal = (postal_code or "").strip().upper()
    errors = {}
    if not name:
        errors["holder_name"] = gettext("Enter the name on the card.")
    if not postal:
        errors["postal_code"] = gettext("Enter the card's billing postal code.")
    if errors:
        raise ValidationError(errors)
    # A double submit (or the same card typed twice) must not put two copies on file: checked before
    # the gateway is called, from what the holder typed.
    already = SavedCard.objects.filter(
        account=account,
        removed_at__isnull=True,
        last4=digits[-4:],
        exp_month=int(exp_month),
        exp_year=int(exp_year),
    ).first()
    if already is not None:
        raise ValidationError(
            {
                "number": gettext("This card (ending %(last4)s, %(expiry)s) is already on file.")
                % {"last4": already.last4, "expiry": f"{already.exp_month:02d}/{already.exp_year}"}
            }
        )
    # The gateway is outside our transaction (its records must survive whatever we do next).
    try:
        token = get_gateway().tokenize(
            number=digits,
            exp_month=int(exp_month),
            exp_year=int(exp_year),
            cvv=str(cvv).strip(),
            holder_name=name,
            postal_code=postal,
        )
    except GatewayTimeout:
        raise SelfServiceError(
            gettext("The payment service did not answer in time; please try again.")
        ) from None
    except GatewayError as exc:
        raise ValidationError({exc.field or "number": str(exc)}) from None
    with transaction.atomic():
        locked = lock_live_account(account)
        has_default = SavedCard.objects.filter(
            account=locked, is_default=True, removed_at__isnull=True
        ).exists()
        if make_default or not has_default:
            SavedCard.objects.filter(account=locked, is_default=True).update(is_default=False)
        card = SavedCard.objects.create(
            account=locked,
            token=token.token,
            brand=token.brand,
            last4=token.last4,
            exp_month=token.exp_month,
            exp_year=token.exp_year,
            holder_name=name,
            billing_postal_code=postal,
            is_default=make_default or not has_default,
        )
        subscription = _live_subscription(locked)
        # A card added while the subscription's charge is declined is the fix: it pays from now on.
        if subscription is not None and (
            subscription.card is None
            or subscription.card.removed_at is not None
            or outstanding_charge(subscription) is not None
        ):
            subscription.card = card
            subscription.save(update_fields=["card"])
        audit_record(
            actor=actor,
            obj=locked,
            action=AuditAction.CARD_ADDED,
            note=str(card),
            changes={"card": (None, str(card)), "is_default": (None, card.is_default)},
        )
        flags_refresh(account=locked)
    # A fixed card charges the declined month at once (outside the transaction: the gateway call).
    subscription_charge_retry(account=account, actor=actor)
    return card


def card_set_default(*, account: Account, actor: User, card_id: int) -> SavedCard:
    require_holder(account=account, actor=actor)
    with transaction.atomic():
        locked = lock_live_account(account)
        card = _own_card(account=locked, card_id=card_id)
        previous = SavedCard.objects.filter(account=locked, is_default=True, removed_at__isnull=True).first()
        if previous is not None and previous.pk != card.pk:
            # One statement at a time keeps the "one default card" constraint satisfied throughout.
            SavedCard.objects.filter(pk=previous.pk).update(is_default=False)
        SavedCard.objects.filter(pk=card.pk).update(is_default=True)
        card.is_default = True
        audit_record(
            actor=actor,
            obj=locked,
            action=AuditAction.CARD_DEFAULT_SET,
            changes={"default_card": (str(previous) if previous else None, str(card))},
        )
    return card


def subscription_card_set(*, account: Account, actor: User, card_id: int) -> Subscription:
    """Pay the live subscription with another saved card (what makes the old one removable)."""
    require_holder(account=account, actor=actor)
    with transaction.atomic():
        # A cancelled account may still remove its cards (its data, its choice): no live check here.
        locked = Account.objects.select_for_update().get(pk=account.pk)
        card = _own_card(account=locked, card_id=card_id)
        subscription = _live_subscription(locked)
        if subscription is None:
            raise SelfServiceError(
                {"card": gettext("You have no active subscription to pay with this card.")}
            )
        if (card.exp_year, card.exp_month) < (clock.today().year, clock.today().month):
            raise SelfServiceError(
                {
                    "card": gettext("The card %(card)s has expired; choose or add another card.")
                    % {"card": card}
                }
            )
        before = str(subscription.card) if subscription.card else None
        subscription.card = card
        subscription.save(update_fields=["card"])
        audit_record(
            actor=actor,
            obj=locked,
            action=AuditAction.SUBSCRIPTION_CARD_SET,
            changes={"subscription_card": (before, str(card))},
        )
        flags_refresh(account=locked)
    subscription_charge_retry(account=account, actor=actor)
    return subscription


def card_remove(*, account: Account, actor: User, card_id: int) -> SavedCard:
    """Remove a card (kept as a removed row for refunds) and delete it at the gateway.

    Refused for the card paying a live subscription until another card replaces it there.
    """
    require_holder(account=account, actor=actor)
    with transaction.atomic():
        # A cancelled account may still remove its cards (its data, its choice): no live check here.
        locked = Account.objects.select_for_update().get(pk=account.pk)
        card = _own_card(account=locked, card_id=card_id)
        subscription = _live_subscription(locked)
        if subscription is not None and subscription.card_id == card.pk:
            raise SelfServiceError(
                {
                    "card": gettext(
                        "The card %(card)s pays your subscription: "
                        "choose another card for the subscription first."
                    )
                    % {"card": card}
                }
            )
        was_default = card.is_default
        SavedCard.objects.filter(pk=card.pk).update(removed_at=clock.now(), is_default=False)
        if was_default:
            successor = (
                SavedCard.objects.filter(account=locked, removed_at__isnull=True)
                .exclude(pk=card.pk)
                .order_by("-created_at", "-id")
                .first()
            )
            if successor is not None:
                SavedCard.objects.filter(pk=successor.pk).update(is_default=True)
        audit_record(
            actor=actor, obj=locked, action=AuditAction.CARD_REMOVED, changes={"card": (str(card), None)}
        )
        flags_refresh(account=locked)
    try:
        get_gateway().delete_card(token=card.token)
    except GatewayError:
        # Removed here already; a gateway hiccup leaves an unused token there, never card data here.
        logger.warning("gateway could not delete the token of saved card %s; it stays unused", card.pk)
    card.refresh_from_db()
    return card
