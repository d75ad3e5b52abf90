"""Refund writes: filing a request (every channel), authorization, receipt, refused shipments,
rejection, expiry and reminders. Paying the refund lives in ``refunds.payments``.

Refusals raise ``RefundRefused(code, message, field=...)`` (a ``Refused``) and change nothing.
Each transition locks
the row, calls the django-fsm-2 transition (logged by django-fsm-log with the actor and the note),
saves, then records its side effects (emails) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import Account, Order, Product
from plexus_office import clock
from plexus_office.platform.actors import actor_user
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.business_days import add_business_days
from plexus_office.platform.errors import Refused
from plexus_office.platform.money import ZERO
from plexus_office.platform.notifications import notify
from plexus_office.platform.roles import CUSTOMER_SERVICE, RETURNS, member_of
from refunds.models import Refund, RefundChannel, RefundLine, RefundReason, RefundStatus, ReturnMethod
from refunds.selectors import (
    PAY_AFTER_RECEIPT_BUSINESS_DAYS,
    REMINDER_DAYS_BEFORE,
    Refusal,
    label_fee,
    refund_quote,
)
from refunds.wording import quote_note, status_word


class RefundRefused(Refused):
    """A refund that cannot be requested or moved on."""


_user = actor_user  # the services' short name for it


def _link(refund: Refund) -> str:
    return f"/refunds/{refund.pk}/"


def _tell(refund: Refund, event: str, **context: Any) -> None:
    notify(
        recipient=refund.account,
        event=event,
        context={"refund": refund, **context},
        link=_link(refund),
        key=f"{event}:{refund.pk}",
    )


def _check_channel(*, account: Account, order: Order, channel: str, actor: Any) -> None:
    """Who may file for whom (refunds.txt "How to Request a Refund")."""
    user = _user(actor)
    if channel == RefundChannel.MEMBER:
        if user is None or account.user_id != user.pk:
            raise RefundRefused(
                "account", _("members can request refunds only for their own orders"), field="account"
            )
    elif channel == RefundChannel.AMBASSADOR:
        seller = Account.objects.filter(user=user).first() if user else None
        if seller is None or order.sold_by_id != seller.pk:
            raise RefundRefused(
                "order",
                _("order %(order)s is not a retail sale you made directly") % {"order": order.ref},
                field="order",
            )
    elif channel in (RefundChannel.CUSTOMER_SERVICE, RefundChannel.REFUSED_SHIPMENT):
        group = CUSTOMER_SERVICE if channel == RefundChannel.CUSTOMER_SERVICE else RETURNS
        if not member_of(group)(None, user):
            raise RefundRefused(
                "not_allowed", f"only {group} staff may file this kind of request", field="actor"
            )
    else:
        raise RefundRefused("channel", f"unknown channel {channel!r}", field="channel")


def refund_request(
    *,
    account: Account,
    order: Order,
    products: Iterable[Product],
    reason: str,
    return_method: str = ReturnMethod.PREPAID_LABEL,
    actor: Any,
    channel: str = RefundChannel.MEMBER,
    as_of: date | None = None,
) -> Refund:
    """File one return of ``products`` of ``order``: one refund with a line per product; all or nothing.

    The products travel back in one package (one RA, one label, one deduction). The whole return is
    quoted first with ``refund_quote``; one refused product refuses the request with its reason and
    dates. The partial unique index on the lines settles simultaneous requests sharing a product:
    one is filed, the others refused as already_refunded.
    """
    chosen = list(products)
    if not chosen:
        raise RefundRefused("products", _("pick at least one product of the order"), field="products")
    if len({p.pk for p in chosen}) != len(chosen):
        raise RefundRefused(
            "duplicate_product", _("each product can be named once in a return"), field="products"
        )
    _check_channel(account=account, order=order, channel=channel, actor=actor)
    today = clock.today(as_of)
    quote = refund_quote(
        account=account,
        order=order,
        products=chosen,
        reason=reason,
        return_method=return_method,
        as_of=today,
    )
    if not quote.eligible:
        field = {Refusal.BAD_REASON: "reason", Refusal.BAD_RETURN_METHOD: "return_method"}.get(
            quote.refusal or "", "order" if quote.refusal == Refusal.NO_ORIGINAL_PAYMENT else "products"
        )
        raise RefundRefused(quote.refusal or field, quote.message, field=field)
    user = _user(actor)
    refused_shipment = channel == RefundChannel.REFUSED_SHIPMENT
    try:
        with transaction.atomic():
            refund = Refund.objects.create(
                account=account,
                order=order,
                reason=reason,
                requested_on=today,
                return_method=return_method,
                channel=channel,
                requested_by=user,
                gross=quote.gross,
                deduction=quote.deduction,
                amount=quote.amount,
                pv=quote.pv,
                return_deadline=None if refused_shipment else quote.return_deadline,
                window_ends_on=quote.window_ends_on,
                refused_shipment=refused_shipment,
                submitted_at=clock.now(),
                # A refused shipment waits for the carrier: no queue deadline until it is back.
                due_on=None if refused_shipment else Refund.due_date_from(today),
            )
            # Inserted in product order so two requests sharing products never wait on each other
            # in opposite orders (no deadlock: the later one simply hits the unique index).
            eligible = [(position, line, line.product) for position, line in enumerate(quote.lines)]
            for position, line, product in sorted(eligible, key=lambda item: item[2].pk if item[2] else 0):
                assert product is not None  # eligible lines name a product
                RefundLine.objects.create(
                    refund=refund,
                    account=account,
                    product=product,
                    position=position,
                    qty=line.qty,
                    gross=line.gross,
                    pv=line.pv,
                )
            if refused_shipment:
                refund.ra_number = ra_number_for(refund)
                refund.save(update_fields=["ra_number"])
            audit_record(
                actor=user,
                obj=refund,
                action=AuditAction.REQUEST,
                note=quote_note(quote, order_ref=order.ref),
                changes={
                    "status": (None, RefundStatus.REQUESTED),
                    "channel": (None, channel),
                    "products": (None, ", ".join(line.sku for line in quote.lines)),
                },
            )
            if not refused_shipment:
                _tell(refund, "refunds_requested", quote=quote)
    except IntegrityError:
        if not RefundLine.objects.filter(account=account, product__in=chosen, counts=True).exists():
            raise  # not the one-per-product race: a real fault, not a refusal
        raise RefundRefused(
            Refusal.ALREADY_REFUNDED,
            _(
                "a refund for this product was just requested for this account; only one refund per "
                "product is issued"
            ),
            field="products",
        ) from None
    return refund


def ra_number_for(refund: Refund) -> str:
    return f"RA{refund.pk:08d}"


def _locked(refund: Refund) -> Refund:
    return Refund.objects.select_for_update(of=("self",)).select_related("order", "account").get(pk=refund.pk)


def _require(locked: Refund, *states: str) -> None:
    if locked.status not in states:
        raise RefundRefused(
            "wrong_status",
            _("refund #%(number)s is %(status)s; this needs %(needed)s")
            % {
                "number": locked.pk,
                "status": status_word(locked.status),
                "needed": _(" or ").join(status_word(state) for state in states),
            },
            field="status",
        )


def label_reference_for(refund: Refund) -> str:
    """A barcode-friendly reference with a mod-10 check digit, derived from the id (stable on retries)."""
    body = f"{refund.pk:010d}"
    check = (10 - sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body))) % 10) % 10
    return f"PLXR{body}{check}"


def refund_authorize(*, refund: Refund, actor: Any, note: str = "") -> Refund:
    """Customer Service: the RA number for the package; for a prepaid-label return also the label.

    The member gets the return authorization with the instructions (for a post-office return: the
    mailing instructions) and, with a prepaid label, the label: one of each per return, whatever the
    number of products. A store pick-up mistake needs nothing back: it is authorized for Finance to
    refund directly.
    """
    note = (note or "").strip()
    with transaction.atomic():
        locked = _locked(refund)
        _require(locked, RefundStatus.REQUESTED)
        locked.authorize(by=actor, description=note or None)
        today = clock.today()
        locked.authorized_on = today
        locked.ra_number = ra_number_for(locked)
        if locked.skips_return:
            locked.due_on = add_business_days(today, PAY_AFTER_RECEIPT_BUSINESS_DAYS)
        else:
            if locked.gets_label:
                locked.label_reference = label_reference_for(locked)
            locked.due_on = locked.return_deadline
        locked.record_decision(actor=_user(actor), note=note)
        locked.save()
        _tell(locked, "refunds_authorized", note=note)
        if locked.gets_label:
            _tell(locked, "refunds_label")
    return locked


def refund_reject(*, refund: Refund, actor: Any, note: str) -> Refund:
    """Refuse with a reason the member is told; the product may be requested again later."""
    note = (note or "").strip()
    if not note:
        raise RefundRefused(
            "note_required", "a reason is required to reject a refund; the member is told it", field="note"
        )
    with transaction.atomic():
        locked = _locked(refund)
        _require(locked, RefundStatus.REQUESTED, RefundStatus.AUTHORIZED)
        locked.reject(by=actor, description=note)
        locked.record_decision(actor=_user(actor), note=note)
        locked.due_on = None
        locked.save()
        _release_lines(locked)
        _tell(locked, "refunds_rejected", note=note)
    return locked


def _release_lines(refund: Refund, **only: Any) -> None:
    """Lines of a refund that ended without paying them stop counting against one refund per product."""
    RefundLine.objects.filter(refund=refund, **only).update(counts=False)


def _settle_on_receipt(
    locked: Refund, *, postage_paid_by_customer: bool, missing: Iterable[int] = ()
) -> None:
    """What the package holds decides the money: the received lines' paid price, less the label fee
    once (none when the customer paid the postage). A product missing from the box is not refunded
    and no longer counts against one refund per product (it may be returned and requested later)."""
    missing_ids = set(missing)
    lines = list(locked.lines.select_for_update())
    if missing_ids - {line.product_id for line in lines}:
        raise RefundRefused(
            "not_in_return", "only products of this return can be marked missing", field="missing"
        )
    if lines and all(line.product_id in missing_ids for line in lines):
        raise RefundRefused(
            "nothing_received",
            "every product is marked missing: nothing arrived to refund; reject the request instead",
            field="missing",
        )
    for line in lines:
        line.received = line.product_id not in missing_ids
        if not line.received:
            line.counts = False
        line.save(update_fields=["received", "counts"])
    kept = [line for line in lines if line.received]
    locked.gross = sum((line.gross for line in kept), ZERO)
    locked.pv = sum(line.pv for line in kept)
    locked.postage_paid_by_customer = postage_paid_by_customer or (
        locked.return_method == ReturnMethod.POST_OFFICE and not locked.refused_shipment
    )
    if locked.postage_paid_by_customer:
        locked.deduction = ZERO
    else:
        locked.deduction = min(label_fee(locked.order.country), locked.gross)
    locked.amount = locked.gross - locked.deduction
    locked.received_on = clock.today()
    # Finance pays within 5 business days of receipt (it may pay earlier).
    locked.due_on = add_business_days(locked.received_on, PAY_AFTER_RECEIPT_BUSINESS_DAYS)


def refund_receive(
    *,
    refund: Refund,
    actor: Any,
    ra_number: str,
    postage_paid_by_customer: bool = False,
    missing: Iterable[Product | int] = (),
    note: str = "",
) -> Refund:
    """Returns: the package with its RA number arrived (the number on it must match this return).

    ``missing``: products of the return that were not in the box (recorded per line, not refunded).
    """
    missing_ids = [m if isinstance(m, int) else m.pk for m in missing]
    given = (ra_number or "").strip().upper()
    with transaction.atomic():
        locked = _locked(refund)
        _require(locked, RefundStatus.AUTHORIZED)
        if locked.skips_return:
            raise RefundRefused(
                "wrong_status", "a store pick-up correction has no package to receive", field="status"
            )
        if not locked.ra_number or given != locked.ra_number:
            raise RefundRefused(
                "ra_mismatch",
                f"{given or 'no RA number'} does not match this refund's label ({locked.ra_number}); "
                "only returns with a label issued by Customer Service are accepted",
                field="ra_number",
            )
        locked.receive(by=actor, description=(note or "").strip() or None)
        _settle_on_receipt(locked, postage_paid_by_customer=postage_paid_by_customer, missing=missing_ids)
        locked.record_decision(actor=_user(actor), note=note)
        locked.save()
        _tell(locked, "refunds_received")
    return locked


def refunds_from_refused_shipment(
    *, order: Order, products: Iterable[Product], actor: Any, note: str = ""
) -> Refund:
    """Returns: the member refused the delivery and the carrier is bringing the shipment back.

    Files one return (money back) for the products, with its RA number so the warehouse can match
    the package; it waits, with no label and no deadline, until Returns records it back in the
    warehouse (``refund_receive_refused_shipment``), then follows the normal path: the country's label fee
    is deducted as for a prepaid label (the return shipping was the company's cost) and Finance pays.
    """
    if not member_of(RETURNS)(None, _user(actor)):
        raise RefundRefused("not_allowed", "only Returns staff record refused shipments", field="actor")
    chosen = list(products)
    with transaction.atomic():
        # The member may already have asked for these products back: that request now waits for the
        # carrier instead of a package from the member.
        existing = (
            # A subquery, not a join + DISTINCT: PostgreSQL refuses FOR UPDATE with DISTINCT.
            Refund.objects.select_for_update()
            .filter(
                order=order,
                status__in=(RefundStatus.REQUESTED, RefundStatus.AUTHORIZED),
                pk__in=RefundLine.objects.filter(product__in=chosen, counts=True).values("refund_id"),
            )
            .order_by("id")
            .first()
        )
        if existing is not None:
            existing.refused_shipment = True
            existing.return_deadline = None
            existing.due_on = None
            existing.label_reference = ""
            if not existing.ra_number:
                existing.ra_number = ra_number_for(existing)
            changed = ["refused_shipment", "return_deadline", "due_on", "label_reference", "ra_number"]
            existing.save(update_fields=changed)
            audit_record(
                actor=_user(actor),
                obj=existing,
                action=AuditAction.REFUSED_SHIPMENT,
                note=note.strip() or "the member refused the shipment; the carrier brings it back",
            )
            return existing
        refund = refund_request(
            account=order.account,
            order=order,
            products=chosen,
            reason=RefundReason.MONEY_BACK,
            actor=actor,
            channel=RefundChannel.REFUSED_SHIPMENT,
        )
        if note.strip():
            audit_record(
                actor=_user(actor), obj=refund, action=AuditAction.REFUSED_SHIPMENT, note=note.strip()
            )
    return refund


def _receive_refused(refund: Refund, *, actor: Any, note: str) -> Refund:
    locked = _locked(refund)
    _require(locked, RefundStatus.REQUESTED, RefundStatus.AUTHORIZED)
    locked.receive_refused(
        by=actor, description=(note or "").strip() or "refused shipment returned by the carrier"
    )
    if not locked.ra_number:
        locked.ra_number = ra_number_for(locked)
    locked.refused_shipment = True
    _settle_on_receipt(locked, postage_paid_by_customer=False)
    locked.record_decision(actor=_user(actor), note=note)
    locked.save()
    _tell(locked, "refunds_received")
    return locked


def refund_receive_refused_shipment(*, refund: Refund, actor: Any, note: str = "") -> Refund:
    """One existing request whose refused shipment is back in the warehouse (the admin button).

    ``refunds_from_refused_shipment`` files (or flags) the return while the carrier brings it back;
    this records it back in the warehouse, then the return follows the normal path.
    """
    with transaction.atomic():
        return _receive_refused(refund, actor=actor, note=note)


def refund_mark_shipped(*, refund: Refund, actor: Any, tracking_number: str = "") -> Refund:
    """The member says the package left: the 10-day expiry no longer applies to it."""
    tracking = (tracking_number or "").strip()
    if len(tracking) > 60:
        raise RefundRefused("too_long", _("at most 60 characters"), field="tracking_number")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in tracking):
        raise RefundRefused(
            "control_characters",
            _("letters, digits and punctuation only (no control characters)"),
            field="tracking_number",
        )
    with transaction.atomic():
        locked = _locked(refund)
        if locked.account.user_id != getattr(_user(actor), "pk", None):
            raise RefundRefused("refund", _("only the member can report their own shipment"), field="refund")
        _require(locked, RefundStatus.AUTHORIZED)
        if locked.skips_return:
            raise RefundRefused(
                "wrong_status", _("nothing is returned for a store pick-up correction"), field="status"
            )
        if locked.shipped_on is None:
            locked.shipped_on = clock.today()
        locked.tracking_number = tracking or locked.tracking_number
        locked.save(update_fields=["shipped_on", "tracking_number"])
        audit_record(
            actor=_user(actor),
            obj=locked,
            action=AuditAction.SHIPPED,
            note=tracking,
            changes={"shipped_on": (None, locked.shipped_on.isoformat())},
        )
    return locked


# --- the daily job ---------------------------------------------------------------------------------


def _awaiting_return():
    return (
        Refund.objects.filter(status=RefundStatus.AUTHORIZED, shipped_on__isnull=True)
        .exclude(reason=RefundReason.STORE_PICKUP)
        .exclude(refused_shipment=True)  # the carrier brings it back: no member deadline
    )


def refunds_remind(*, as_of: date | None = None) -> int:
    """Remind members two days before their return deadline (once; a missed day still reminds)."""
    today = clock.today(as_of)
    sent = 0
    due = _awaiting_return().filter(
        reminder_sent_on__isnull=True,
        return_deadline__gte=today,
        return_deadline__lte=today + timedelta(days=REMINDER_DAYS_BEFORE),
    )
    for refund_id in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            # The conditional UPDATE is the claim: two job runs never remind twice.
            if not Refund.objects.filter(pk=refund_id, reminder_sent_on__isnull=True).update(
                reminder_sent_on=today, version=F("version") + 1
            ):
                continue
            refund = Refund.objects.select_related("account", "order").get(pk=refund_id)
            _tell(refund, "refunds_reminder")
            sent += 1
    return sent


def refunds_expire(*, as_of: date | None = None) -> int:
    """Expire authorized returns not shipped by their deadline (request day + 10); the member is told."""
    today = clock.today(as_of)
    expired = 0
    for refund_id in (
        _awaiting_return().filter(return_deadline__lt=today).values_list("pk", flat=True).iterator()
    ):
        with transaction.atomic():
            locked = _locked(Refund(pk=refund_id))
            deadline = locked.return_deadline
            if locked.status != RefundStatus.AUTHORIZED or locked.shipped_on is not None or deadline is None:
                continue  # shipped or decided since the scan (the scan only picks refunds with a deadline)
            note = f"nothing shipped by the return deadline {deadline.isoformat()}"
            locked.expire(by=None, description=note)
            locked.record_decision(actor=None, note=note)
            locked.due_on = None
            locked.save()
            _release_lines(locked)
            _tell(locked, "refunds_expired")
            expired += 1
    return expired
