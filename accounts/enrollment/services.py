"""Enrollment (business rules §7): one service behind the public form, the API, staff and operations.

``member_enroll`` creates the account as of a day (operations import, staff on the phone): the
account, its opening sponsorship period, the paid membership fee for an ambassador, the welcome email
and the sponsor's notice. ``enrollment_submit`` is the public path: the same account plus a login,
the card on file, the first order and subscription, paid by one gateway charge.

Nothing half-done stays behind: every refusal is checked before the charge; the charge carries the
enrollment's idempotency key (a double submit pays once); the rows are written in one transaction
after it, and if that transaction fails the charge is refunded.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from accounts.enrollment.rules import check_enrollment, clean_email, eligible_sponsor
from accounts.models import (
    CORPORATE_SPONSOR_NUMBER,
    Account,
    AccountKind,
    Enrollment,
    EnrollmentChannel,
    MembershipFeePayment,
    Order,
    OrderLine,
    Product,
    Rank,
    SavedCard,
    SponsorChangeReason,
    Sponsorship,
    Subscription,
    SubscriptionStatus,
)
from accounts.selfservice.cards import check_card_input
from accounts.validation import ADDRESS_PARTS, clean_address, normalize_phone
from plexus_office import clock
from plexus_office.dates import add_months
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.errors import Refused
from plexus_office.platform.gateway import CardDeclined, CardToken, GatewayError, GatewayTimeout, get_gateway
from plexus_office.platform.notifications import notify

logger = logging.getLogger(__name__)

ENROLLABLE_KINDS = (AccountKind.VIP_CUSTOMER, AccountKind.AMBASSADOR)
FEE_TERM_MONTHS = 12
MAX_LINE_QTY = 10


def membership_fee() -> Decimal:
    return Decimal(settings.MEMBERSHIP_FEE).quantize(Decimal("0.01"))


def clean_basics(*, kind: str, name: str, email: str, country: str) -> tuple[str, str, str, str]:
    """Kind, name, email and country checked together; one ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    if kind not in ENROLLABLE_KINDS:
        errors["kind"] = f"kind: {kind!r} is not one of vip_customer, ambassador"
    clean_name = (name or "").strip()
    if not clean_name:
        errors["name"] = "name: a name is required"
    elif len(clean_name) > 200:
        errors["name"] = "name: at most 200 characters"
    address = ""
    try:
        address = clean_email(email)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    code = (country or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        errors["country"] = f"country: {country!r} is not a two-letter country code"
    if errors:
        raise ValidationError(errors)
    return kind, clean_name, address, code


# --- the account itself -------------------------------------------------------------------------


def _next_number() -> int:
    return (Account.objects.aggregate(top=Max("number"))["top"] or 0) + 1


def _create_account(
    *,
    kind: str,
    name: str,
    email: str,
    country: str,
    sponsor: Account,
    number: int | None,
    day: date,
    actor: User | None,
    profile: dict[str, Any],
    fee_amount: Decimal | None,
) -> Account:
    """Write the account and its opening sponsorship period (the caller holds the transaction).

    The number's unique constraint decides a race between two enrollments: a picked number is
    retried, a requested one is refused as taken; the email's live-unique constraint likewise.
    """
    listed = day if sponsor.number == CORPORATE_SPONSOR_NUMBER else None
    for _attempt in range(5):
        chosen = number if number is not None else _next_number()
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    number=chosen,
                    kind=kind,
                    sponsor=sponsor,
                    personally_enrolled=True,
                    enrolled_on=day,
                    listed_under_2_on=listed,
                    name=name,
                    email=email,
                    country=country,
                    title_rank=Rank.BRAND_AMBASSADOR if kind == AccountKind.AMBASSADOR else None,
                    membership_fee_due_on=add_months(day, FEE_TERM_MONTHS)
                    if kind == AccountKind.AMBASSADOR
                    else None,
                    info_reviewed_at=clock.now(),
                    mailing_country=profile.get("mailing_country") or country,
                    shipping_country=profile.get("shipping_country") or country,
                    **{k: v for k, v in profile.items() if k not in ("mailing_country", "shipping_country")},
                )
        except IntegrityError as err:
            text = str(err).lower()
            if "email" in text:
                raise Refused(
                    "email_in_use", f"email: {email} already belongs to a live account", field="email"
                ) from None
            if number is not None:
                raise Refused(
                    "number_taken", f"number: account {number} already exists", field="number"
                ) from None
            continue
        break
    else:
        raise Refused("number_unavailable", "number: could not allocate an account number; try again")
    # "Created" is the enrollment day too, so history read as of a day sees the account from then.
    Account.objects.filter(pk=account.pk).update(created_at=clock.now())
    user = actor if actor is not None and getattr(actor, "pk", None) else None
    Sponsorship.objects.create(
        account=account,
        sponsor=sponsor,
        valid_from=day,
        reason=SponsorChangeReason.ENROLLMENT,
        personal=True,
        created_by=user,
    )
    if kind == AccountKind.AMBASSADOR and fee_amount is not None:
        MembershipFeePayment.objects.create(
            account=account, paid_on=day, amount=fee_amount, covers_until=add_months(day, FEE_TERM_MONTHS)
        )
    return account


def _notify_enrolled(account: Account, sponsor: Account) -> None:
    """Welcome the new member (number, sponsor's contacts); tell a real sponsor of the enrollment."""
    real_sponsor = None if sponsor.is_corporate else sponsor
    notify(
        recipient=account,
        event="accounts_enrollment_welcome",
        context={"account": account, "sponsor": real_sponsor},
        link="/",
        key=f"enroll-welcome:{account.pk}",
    )
    if real_sponsor is not None:
        notify(
            recipient=real_sponsor,
            event="accounts_enrollment_sponsor",
            context={"account": account, "sponsor": real_sponsor},
            link="/",
            key=f"enroll-sponsor:{account.pk}",
        )


def member_enroll(
    *,
    kind: str,
    name: str,
    email: str,
    country: str = "US",
    sponsor_number: int | None = None,
    number: int | None = None,
    as_of: date | None = None,
    actor: User | None,
    channel: str = EnrollmentChannel.OPERATIONS,
    profile: dict[str, Any] | None = None,
) -> Account:
    """Enroll without a card or order (operations import, staff on the phone), judged as of a day.

    Without a sponsor (or with "2") the member is a lead under Corporate Sponsor "2", listed that day.
    An ambassador enrolled this way has paid the membership fee that day (due 12 months later).
    Raises ``Refused`` (the contract's codes) or ``ValidationError`` (bad input); creates nothing then.
    """
    kind, name, email, country = clean_basics(kind=kind, name=name, email=email, country=country)
    day = clock.today(as_of)
    with clock.frozen_at(day), transaction.atomic():
        sponsor = check_enrollment(email=email, sponsor_number=sponsor_number, number=number, day=day)
        account = _create_account(
            kind=kind,
            name=name,
            email=email,
            country=country,
            sponsor=sponsor,
            number=number,
            day=day,
            actor=actor,
            profile=profile or {},
            fee_amount=membership_fee() if kind == AccountKind.AMBASSADOR else None,
        )
        Enrollment.objects.create(
            key=f"{channel}:{secrets.token_hex(16)}",
            account=account,
            channel=channel,
            kind=kind,
            enrolled_on=day,
            actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            obj=account,
            action=AuditAction.ENROLLED,
            note=f"Enrolled ({EnrollmentChannel(channel).label}) under {sponsor.number}",
            changes={"sponsor": (None, sponsor.number), "kind": (None, kind)},
        )
        _notify_enrolled(account, sponsor)
    return account


# --- the public path: login, card, first order, subscription, one charge -------------------------


@dataclass
class OrderLineInput:
    product: Product
    qty: int

    @property
    def total(self) -> Decimal:
        return self.product.price * self.qty


@dataclass
class EnrollmentRequest:
    """Everything the public form and the API collect, before it is checked."""

    kind: str
    sponsor_number: int | None
    name: str
    email: str
    password: str
    phone: str = ""
    address: dict[str, Any] = field(default_factory=dict)  # mailing_* / shipping_* / shipping_same_as_mailing
    lines: list[OrderLineInput] = field(default_factory=list)
    subscribe: bool = False
    # The form checks the password on its own step and keeps only its hash between steps.
    password_hash: str = ""


@dataclass(frozen=True)
class Quote:
    fee: Decimal
    products: Decimal
    shipping: Decimal
    pv: int

    @property
    def total(self) -> Decimal:
        return self.fee + self.products + self.shipping


def enrollment_quote(*, kind: str, lines: list[OrderLineInput]) -> Quote:
    products = sum((line.product.price * line.qty for line in lines), Decimal("0.00"))
    return Quote(
        fee=membership_fee() if kind == AccountKind.AMBASSADOR else Decimal("0.00"),
        products=products,
        shipping=Decimal(settings.FIRST_ORDER_SHIPPING) if lines else Decimal("0.00"),
        pv=sum(line.product.pv * line.qty for line in lines),
    )


def clean_profile(data: dict[str, Any], *, phone: str) -> dict[str, Any]:
    """Phone, mailing and shipping address with the Personal Information page's rules."""
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
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
    try:
        values["phone"] = normalize_phone(phone or "", country=values.get("mailing_country") or "US")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    recipient = str(data.get("shipping_recipient", "") or "").strip()
    if recipient:
        values["shipping_recipient"] = recipient[:200]
    if errors:
        raise ValidationError(errors)
    return values


def check_lines(*, kind: str, lines: list[OrderLineInput], subscribe: bool) -> None:
    errors: dict[str, str] = {}
    for line in lines:
        if not 1 <= line.qty <= MAX_LINE_QTY:
            errors["lines"] = f"Choose a quantity from 1 to {MAX_LINE_QTY} for {line.product.name}."
    if len({line.product.pk for line in lines}) != len(lines):
        errors["lines"] = "Each product once, with its quantity."
    if kind == AccountKind.VIP_CUSTOMER and not lines:
        errors["lines"] = (
            "A VIP Customer's enrollment starts with a first order: choose at least one product."
        )
    if subscribe and not lines:
        errors["subscribe"] = "A monthly subscription repeats the first order: choose its products."
    if errors:
        raise ValidationError(errors)


def enrollment_validate(request: EnrollmentRequest) -> dict[str, Any]:
    """Every field of the request checked at once; returns the cleaned profile (nothing written)."""
    errors: dict[str, Any] = {}
    try:
        clean_basics(kind=request.kind, name=request.name, email=request.email, country="US")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    profile: dict[str, Any] = {}
    try:
        profile = clean_profile(request.address, phone=request.phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not request.password_hash:
        try:
            validate_password(request.password, user=User(username="new", email=request.email))
        except ValidationError as exc:
            errors["password"] = exc.messages
    try:
        check_lines(kind=request.kind, lines=request.lines, subscribe=request.subscribe)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return profile


def enrollment_sponsor(sponsor_number: int | None) -> Account:
    """The sponsor the form shows by name before the enrollee confirms (refusals as at submit)."""
    return eligible_sponsor(sponsor_number, day=clock.today())


def _charge(*, card: CardToken, amount: Decimal, key: str) -> str:
    gateway = get_gateway()
    try:
        try:
            return gateway.charge(token=card.token, amount=amount, idempotency_key=key).id
        except GatewayTimeout:
            # Same key: if the first attempt did charge, the gateway answers with that charge.
            return gateway.charge(token=card.token, amount=amount, idempotency_key=key).id
    except GatewayTimeout:
        raise Refused(
            "gateway_timeout",
            "The payment service did not answer in time; nothing was charged or created. Please try again.",
            field="card",
        ) from None
    except CardDeclined as exc:
        raise Refused(
            "card_declined", f"{exc} Nothing was charged; try another card.", field="card"
        ) from None
    except GatewayError as exc:
        raise Refused("card_error", str(exc), field="card") from None


def _refund_quietly(*, charge_id: str, amount: Decimal, key: str) -> None:
    try:
        get_gateway().refund(charge_id=charge_id, amount=amount, idempotency_key=f"{key}:undo")
    except GatewayError:
        # The charge stays visible to Finance in the gateway; the log names it (never card data).
        logger.exception(
            "enrollment %s: could not refund charge %s after a failed enrollment", key, charge_id
        )


def enrollment_finished(key: str) -> Account | None:
    row = Enrollment.objects.filter(key=key, account__isnull=False).select_related("account").first()
    return row.account if row is not None else None


def enrollment_submit(
    *,
    key: str,
    request: EnrollmentRequest,
    card: CardToken,
    card_holder: str = "",
    card_postal_code: str = "",
    actor: User | None = None,
    channel: str = EnrollmentChannel.WEB,
) -> Account:
    """Enroll from the public form or the API: one account, one login, one charge per ``key``.

    A second call with the same key (double submit, reload, client retry) returns the first account.
    """
    key = (key or "").strip()
    if not 16 <= len(key) <= 64:
        raise ValidationError({"idempotency_key": "idempotency_key: 16 to 64 characters are required"})
    done = enrollment_finished(key)
    if done is not None:
        return done
    profile = enrollment_validate(request)
    kind, name, email, _ = clean_basics(
        kind=request.kind,
        name=request.name,
        email=request.email,
        country=profile.get("mailing_country", "US"),
    )
    country = profile.get("mailing_country") or "US"
    day = clock.today()
    check_enrollment(email=email, sponsor_number=request.sponsor_number, number=None, day=day)
    quote = enrollment_quote(kind=kind, lines=request.lines)
    charge_key = f"enroll:{key}"
    charge_id = _charge(card=card, amount=quote.total, key=charge_key)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = Enrollment.objects.create(
                        key=key,
                        channel=channel,
                        kind=kind,
                        enrolled_on=day,
                        charge_id=charge_id,
                        amount=quote.total,
                    )
            except IntegrityError:
                # The other submit of this enrollment is writing it (or wrote it): one account.
                finished = enrollment_finished(key)
                if finished is not None:
                    return finished
                raise Refused(
                    "enrollment_in_progress",
                    "This enrollment is already being completed; reload in a moment.",
                ) from None
            # Refusals again inside the transaction: an enrollment may have taken the email meanwhile.
            sponsor = check_enrollment(
                email=email, sponsor_number=request.sponsor_number, number=None, day=day
            )
            account = _create_account(
                kind=kind,
                name=name,
                email=email,
                country=country,
                sponsor=sponsor,
                number=None,
                day=day,
                actor=actor,
                profile=profile,
                fee_amount=None,
            )
            _write_purchases(
                account=account,
                request=request,
                card=card,
                card_holder=card_holder or name,
                card_postal_code=card_postal_code or profile.get("mailing_postal_code", ""),
                quote=quote,
                charge_id=charge_id,
                day=day,
            )
            user = User.objects.create_user(
                username=str(account.number), email=email, password=request.password or None
            )
            if request.password_hash:
                User.objects.filter(pk=user.pk).update(password=request.password_hash)
            Account.objects.filter(pk=account.pk).update(user=user)
            account.user = user
            Enrollment.objects.filter(pk=record.pk).update(
                account=account, actor=actor if actor is not None and getattr(actor, "pk", None) else None
            )
            audit_record(
                actor=actor,
                obj=account,
                action=AuditAction.ENROLLED,
                note=f"Enrolled ({EnrollmentChannel(channel).label}) under {sponsor.number}; "
                f"charged {quote.total}",
                changes={"sponsor": (None, sponsor.number), "kind": (None, kind)},
            )
            _notify_enrolled(account, sponsor)
    except Exception:
        if enrollment_finished(key) is None:
            _refund_quietly(charge_id=charge_id, amount=quote.total, key=charge_key)
        raise
    return account


def _write_purchases(
    *,
    account: Account,
    request: EnrollmentRequest,
    card: CardToken,
    card_holder: str,
    card_postal_code: str,
    quote: Quote,
    charge_id: str,
    day: date,
) -> None:
    saved = SavedCard.objects.create(
        account=account,
        token=card.token,
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        holder_name=card_holder[:200],
        billing_postal_code=(card_postal_code or "")[:20],
        is_default=True,
    )
    if quote.fee:
        MembershipFeePayment.objects.create(
            account=account,
            paid_on=day,
            amount=quote.fee,
            covers_until=add_months(day, FEE_TERM_MONTHS),
            charge_id=charge_id,
            card=saved,
            idempotency_key=f"fee:{account.pk}:{account.membership_fee_due_on}",
        )
    if request.lines:
        order = Order.objects.create(
            ref=f"E-{account.number}-1",
            account=account,
            ordered_on=day,
            country=account.shipping_country or account.country,
            shipping=quote.shipping,
            card=saved,
            charge_id=charge_id,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                product=line.product,
                qty=line.qty,
                unit_price=line.product.price,
                pv=line.product.pv,
            )
            for line in request.lines
        )
    if request.subscribe and request.lines:
        Subscription.objects.create(
            account=account, status=SubscriptionStatus.ACTIVE, pv=quote.pv, card=saved, started_on=day
        )


ADDRESS_FIELDS = tuple(f"{prefix}{part}" for prefix in ("mailing_", "shipping_") for part in ADDRESS_PARTS)


def enrollment_card_tokenize(
    *, number: str, exp_month: int, exp_year: int, cvv: str, holder_name: str, postal_code: str
) -> CardToken:
    """Check the card as Manage Cards does, then tokenize it at the gateway (no account yet).

    The number and CVV go no further than ``tokenize``. Errors name the card field; a timeout is a
    form-wide "try again" (nothing is created either way).
    """
    digits = check_card_input(number=number, exp_month=exp_month, exp_year=exp_year, cvv=cvv)
    errors = {}
    if not (holder_name or "").strip():
        errors["holder_name"] = "Enter the name on the card."
    if not (postal_code or "").strip():
        errors["postal_code"] = "Enter the card's billing postal code."
    if errors:
        raise ValidationError(errors)
    try:
        return get_gateway().tokenize(
            number=digits,
            exp_month=int(exp_month),
            exp_year=int(exp_year),
            cvv=str(cvv).strip(),
            holder_name=holder_name.strip(),
            postal_code=postal_code.strip().upper(),
        )
    except GatewayTimeout:
        raise ValidationError(
            {"number": "The payment service did not answer in time; nothing was charged. Please try again."}
        ) from None
    except GatewayError as exc:
        raise ValidationError({exc.field or "number": str(exc)}) from None
