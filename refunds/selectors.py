"""Reads for refunds: the eligibility quote every channel uses, lists, and month PV net of refunds.

``refund_quote`` is the one place the rules live (business-rules §5): the Request Refund Form, the
API, the ambassador's page, Customer Service in admin, ``manage.py refund_quote`` and the services
all ask it, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.models import Account, Fulfillment, Order, OrderLine, Product
from plexus_office import clock
from plexus_office.platform.business_days import add_business_days
from plexus_office.platform.money import ZERO
from refunds.models import (
    CLOSED_WITHOUT_REFUND,
    Refund,
    RefundLine,
    RefundReason,
    RefundStatus,
    ReturnMethod,
)
from refunds.wording import day, eligible_message, money

MONEY_BACK_DAYS = 60
RETURN_DAYS = 10
REMINDER_DAYS_BEFORE = 2
# Finance pays within 5 business days of the package's arrival (refunds.txt: 5-7 days after receipt);
# it may pay earlier. The queue's due date and overdue filter follow it.
PAY_AFTER_RECEIPT_BUSINESS_DAYS = 5


class Refusal:
    WINDOW_EXPIRED = "window_expired"
    ALREADY_REFUNDED = "already_refunded"
    NOT_PURCHASED = "not_purchased"
    NOT_PICKUP_ORDER = "not_pickup_order"
    NO_ORIGINAL_PAYMENT = "no_original_payment"
    BAD_REASON = "bad_reason"
    BAD_RETURN_METHOD = "bad_return_method"


# What the member is told to do when the order has no original payment on file (refunds.txt:
# original payment method only, so no other refund method can be offered). A function: the sentence
# is read in the language active when the quote is made.
def no_payment_next_step() -> str:
    return _(
        "Please contact Customer Service: they will trace the original payment of this order before a "
        "refund can be requested (refunds go only to the original payment method)."
    )


@dataclass(frozen=True)
class LineQuote:
    """One requested product of the return: eligible or why not, and its lines' paid price."""

    sku: str
    product: Product | None
    eligible: bool
    refusal: str | None
    message: str
    gross: Decimal = ZERO
    pv: int = 0
    qty: int = 0
    first_refund_on: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "eligible": self.eligible,
            "refusal": self.refusal,
            "gross": f"{self.gross:.2f}",
            "qty": self.qty,
            "message": self.message,
        }


@dataclass(frozen=True)
class RefundQuote:
    eligible: bool
    refusal: str | None
    message: str
    amount: Decimal
    deduction: Decimal
    gross: Decimal
    pv: int
    requested_on: date
    return_deadline: date | None
    window_ends_on: date | None
    reason: str
    return_method: str
    first_refund_on: date | None = None
    return_required: bool = True
    lines: tuple[LineQuote, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "refusal": self.refusal,
            "amount": f"{self.amount:.2f}",
            "deduction": f"{self.deduction:.2f}",
            "gross": f"{self.gross:.2f}",
            "pv": self.pv,
            "message": self.message,
            "reason": self.reason,
            "return_method": self.return_method,
            "requested_on": self.requested_on.isoformat(),
            "return_deadline": self.return_deadline.isoformat() if self.return_deadline else None,
            "window_ends_on": self.window_ends_on.isoformat() if self.window_ends_on else None,
            "first_refund_on": self.first_refund_on.isoformat() if self.first_refund_on else None,
            "return_required": self.return_required,
            "lines": [line.as_dict() for line in self.lines],
        }


def label_fee(country: str) -> Decimal:
    """The prepaid label fee for an order shipped to ``country`` (a setting per country, none by default)."""
    fees = getattr(settings, "RETURN_LABEL_FEES", {}) or {}
    return Decimal(fees.get((country or "").upper(), ZERO)).quantize(Decimal("0.01"))


def window_end(*, order: Order, reason: str) -> date | None:
    """Last day a request qualifies: order date + 60 days for money back; no fixed window otherwise."""
    if reason == RefundReason.MONEY_BACK:
        return order.ordered_on + timedelta(days=MONEY_BACK_DAYS)
    return None


def has_original_payment(order: Order) -> bool:
    """The order's original charge is on file: the only place a refund can go (refunds.txt)."""
    return bool(order.charge_id)


def earlier_refund(*, account: Account, product: Product, as_of: date | None = None) -> Refund | None:
    """The refund that blocks another for this product: any that did not end rejected or expired.

    Requests made after ``as_of`` do not count (time travel: facts dated later did not exist yet).
    """
    found = Refund.objects.filter(lines__product=product, lines__counts=True, account=account).exclude(
        status__in=CLOSED_WITHOUT_REFUND
    )
    if as_of is not None:
        found = found.filter(requested_on__lte=as_of)
    return found.select_related("order").order_by("requested_on", "id").first()


def _lines(order: Order, product: Product) -> list[OrderLine]:
    return [line for line in order.lines.all() if line.product_id == product.pk]


def _line_quote(
    *, account: Account, order: Order | None, sku: str, product: Product | None, reason: str, today: date
) -> LineQuote:
    """One product, checked in the contract's order: window_expired, already_refunded, not_purchased,
    not_pickup_order, then no_original_payment."""

    def refuse(code: str, message: str, first: date | None = None) -> LineQuote:
        return LineQuote(
            sku=sku, product=product, eligible=False, refusal=code, message=message, first_refund_on=first
        )

    # An unknown order or SKU is "not purchased" (by this account), in the contract's place in the order.
    window = window_end(order=order, reason=reason) if order is not None else None
    if order is not None and window is not None and today > window:
        return refuse(
            Refusal.WINDOW_EXPIRED,
            _("The 60 Day Money Back Guarantee for order %(order)s of %(ordered)s ended on %(ended)s.")
            % {"order": order.ref, "ordered": day(order.ordered_on), "ended": day(window)},
        )
    first = earlier_refund(account=account, product=product, as_of=today) if product is not None else None
    if product is not None and first is not None:
        return refuse(
            Refusal.ALREADY_REFUNDED,
            _(
                "%(product)s was already refunded to this account: a refund was requested on "
                "%(requested)s (order %(order)s, %(status)s). Only one refund per product is issued."
            )
            % {
                "product": product.name,
                "requested": day(first.requested_on),
                "order": first.order.ref,
                "status": str(first.get_status_display()).lower(),
            },
            first=first.requested_on,
        )
    if order is None or product is None:
        if order is None:
            message = _("Not purchased by account %(account)s (order: there is no such order).")
        else:
            message = _("Not purchased by account %(account)s (sku: there is no product %(sku)s).")
        return refuse(Refusal.NOT_PURCHASED, message % {"account": account.number, "sku": sku})
    lines = _lines(order, product) if order.account_id == account.pk and order.ordered_on <= today else []
    if not lines:
        return refuse(
            Refusal.NOT_PURCHASED,
            _("%(sku)s is not on order %(order)s of account %(account)s.")
            % {"sku": product.sku, "order": order.ref, "account": account.number},
        )
    if reason == RefundReason.STORE_PICKUP and (order.fulfillment != Fulfillment.PICKUP or order.picked_up):
        if order.fulfillment == Fulfillment.PICKUP:
            message = _(
                "Order %(order)s was already picked up: the store pick-up correction applies only to "
                "pick-up orders not yet collected at the Scottsdale Product Store."
            )
        else:
            message = _(
                "Order %(order)s is not a store pick-up order: the store pick-up correction applies only "
                "to pick-up orders not yet collected at the Scottsdale Product Store."
            )
        return refuse(Refusal.NOT_PICKUP_ORDER, message % {"order": order.ref})
    if not has_original_payment(order):
        return refuse(
            Refusal.NO_ORIGINAL_PAYMENT,
            _("Order %(order)s has no original payment on file.") % {"order": order.ref}
            + " "
            + no_payment_next_step(),
        )
    gross = sum((line.unit_price * line.qty for line in lines), ZERO).quantize(Decimal("0.01"))
    return LineQuote(
        sku=sku,
        product=product,
        eligible=True,
        refusal=None,
        message=_("%(product)s: %(paid)s paid.") % {"product": product.name, "paid": money(gross)},
        gross=gross,
        pv=sum(line.pv * line.qty for line in lines),
        qty=sum(line.qty for line in lines),
    )


def return_quote(
    *,
    account: Account,
    order: Order | None,
    items: Sequence[tuple[str, Product | None]],
    reason: str,
    return_method: str = ReturnMethod.PREPAID_LABEL,
    as_of: date | None = None,
) -> RefundQuote:
    """What one return of the requested products of ``order`` would give on ``as_of``, or why not.

    ``items`` are (sku, product) in the order the person gave them (product None: unknown SKU).
    The products travel back in one package: one label, so the label fee is deducted at most once.
    Eligible only when every product is; otherwise the refusal is the first refused product's code.
    Amount: the paid price of every requested product's lines (shipping never refunded), less the
    prepaid label fee of the order's country unless the customer pays postage at the post office or
    it is a store pick-up mistake (refunded whole, nothing returned).
    """
    today = clock.today(as_of)
    deadline = today + timedelta(days=RETURN_DAYS)
    window = window_end(order=order, reason=reason) if order is not None else None

    def refuse(code: str, message: str, lines: tuple[LineQuote, ...] = (), first=None) -> RefundQuote:
        return RefundQuote(
            eligible=False,
            refusal=code,
            message=message,
            amount=ZERO,
            deduction=ZERO,
            gross=ZERO,
            pv=0,
            requested_on=today,
            return_deadline=None,
            window_ends_on=window,
            reason=reason,
            return_method=return_method,
            first_refund_on=first,
            lines=lines,
        )

    if reason not in RefundReason.values:
        return refuse(
            Refusal.BAD_REASON,
            _("reason: choose one of %(choices)s") % {"choices": ", ".join(RefundReason.values)},
        )
    if return_method not in ReturnMethod.values:
        return refuse(
            Refusal.BAD_RETURN_METHOD,
            _("return_method: choose one of %(choices)s") % {"choices": ", ".join(ReturnMethod.values)},
        )
    lines = tuple(
        _line_quote(account=account, order=order, sku=sku, product=product, reason=reason, today=today)
        for sku, product in items
    )
    refused = [line for line in lines if not line.eligible]
    if refused:
        return refuse(refused[0].refusal or "", refused[0].message, lines, refused[0].first_refund_on)
    assert order is not None  # every line is eligible, so the order exists
    gross = sum((line.gross for line in lines), ZERO)
    pv = sum(line.pv for line in lines)
    if reason == RefundReason.STORE_PICKUP:
        return RefundQuote(
            eligible=True,
            refusal=None,
            amount=gross,
            deduction=ZERO,
            gross=gross,
            pv=pv,
            requested_on=today,
            return_deadline=None,
            window_ends_on=None,
            reason=reason,
            return_method=return_method,
            return_required=False,
            lines=lines,
            message=eligible_message(
                order_ref=order.ref,
                skus=[line.sku for line in lines],
                reason=reason,
                return_method=return_method,
                gross=gross,
            ),
        )
    deduction = label_fee(order.country) if return_method == ReturnMethod.PREPAID_LABEL else ZERO
    deduction = min(deduction, gross)
    amount = gross - deduction
    return RefundQuote(
        eligible=True,
        refusal=None,
        amount=amount,
        deduction=deduction,
        gross=gross,
        pv=pv,
        requested_on=today,
        return_deadline=deadline,
        window_ends_on=window,
        reason=reason,
        return_method=return_method,
        lines=lines,
        message=eligible_message(
            order_ref=order.ref,
            skus=[line.sku for line in lines],
            reason=reason,
            return_method=return_method,
            gross=gross,
            deduction=deduction,
            deadline=deadline,
            window=window,
        ),
    )


def refund_quote(
    *,
    account: Account,
    order: Order | None,
    product: Product | None = None,
    products: Iterable[Product] | None = None,
    reason: str,
    return_method: str = ReturnMethod.PREPAID_LABEL,
    as_of: date | None = None,
) -> RefundQuote:
    """``return_quote`` for products already looked up (one ``product`` or several ``products``)."""
    chosen: list[Product | None] = list(products) if products is not None else [product]
    items = [(p.sku if p is not None else "", p) for p in chosen]
    return return_quote(
        account=account, order=order, items=items, reason=reason, return_method=return_method, as_of=as_of
    )


def refund_quote_by_reference(
    *,
    account: Account,
    order_ref: str,
    skus: Sequence[str],
    reason: str,
    return_method: str = ReturnMethod.PREPAID_LABEL,
    as_of: date | None = None,
) -> RefundQuote:
    """``return_quote`` from the references a person types (order ref, SKUs in their order)."""
    order = Order.objects.filter(ref=(order_ref or "").strip()).prefetch_related("lines").first()
    cleaned = [(s or "").strip() for s in skus]
    found = Product.objects.in_bulk(cleaned, field_name="sku")
    return return_quote(
        account=account,
        order=order,
        items=[(sku, found.get(sku)) for sku in cleaned],
        reason=reason,
        return_method=return_method,
        as_of=as_of,
    )


# --- lists -----------------------------------------------------------------------------------------


def refunds_of(*, account: Account) -> QuerySet[Refund]:
    return (
        Refund.objects.filter(account=account)
        .select_related("order")
        .prefetch_related(Prefetch("lines", queryset=RefundLine.objects.select_related("product")))
        .order_by("-requested_on", "-id")
    )


def orders_for_refund(*, account: Account, limit: int = 50) -> QuerySet[Order]:
    return (
        Order.objects.filter(account=account)
        .prefetch_related("lines__product")
        .order_by("-ordered_on", "-id")[:limit]
    )


def direct_sales_of(*, ambassador: Account, limit: int = 50) -> QuerySet[Order]:
    """Retail sales the ambassador made directly: they issue those refunds (refunds.txt)."""
    return (
        Order.objects.filter(sold_by=ambassador)
        .select_related("account")
        .prefetch_related("lines__product")
        .order_by("-ordered_on", "-id")[:limit]
    )


def refund_pay_window(refund: Refund) -> tuple[date, date] | None:
    """From receipt to the payout's due date, 5 business days later (Finance may pay any day in it)."""
    if refund.received_on is None:
        return None
    return (refund.received_on, add_business_days(refund.received_on, PAY_AFTER_RECEIPT_BUSINESS_DAYS))


def dashboard_summary(*, account: Account) -> dict[str, Any]:
    """The dashboard panel: open refunds (newest 5) and whether the account sells directly."""
    # Only what the panel shows (status, label, deadline, the SKUs): the order was joined and its
    # columns built into a model on every dashboard view, unread (bench/README.md §7).
    lines = RefundLine.objects.select_related("product").only("refund_id", "product__sku")
    open_refunds = list(
        Refund.objects.filter(account=account, status__in=Refund.OPEN_STATES)
        .only("status", "label_reference", "return_deadline", "requested_on")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("-requested_on", "-id")[:5]
    )
    sells = account.is_ambassador and Order.objects.filter(sold_by=account).exists()
    return {"open_refunds": open_refunds, "sells_directly": sells}


# --- PV net of refunds -----------------------------------------------------------------------------


def month_pv(*, account: Account, month: date) -> int:
    """An account's order PV for the calendar month of ``month``, net of refunded lines.

    Refunded PV leaves the month the order was placed in (the month whose totals it counted in);
    see docs/decisions.md.
    """
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    ordered = (
        OrderLine.objects.filter(
            order__account=account, order__ordered_on__gte=start, order__ordered_on__lt=end
        ).aggregate(total=Sum(F("pv") * F("qty")))["total"]
        or 0
    )
    refunded = (
        Refund.objects.filter(
            account=account,
            status=RefundStatus.REFUNDED,
            order__ordered_on__gte=start,
            order__ordered_on__lt=end,
        ).aggregate(total=Sum("pv"))["total"]
        or 0
    )
    return int(ordered) - int(refunded)


# --- Customer Service: finding the member --------------------------------------------------------


def members_matching(term: str, *, limit: int = 20) -> list[Account]:
    """Members Customer Service may mean by ``term``: an account number, an email, or part of a name.

    Each form uses its own index (number: unique; email: exact, case-insensitive; name: prefix).
    """
    term = (term or "").strip()
    if not term:
        return []
    members = Account.objects.exclude(number__in=(1, 2)).order_by("number")
    if term.isdigit() and len(term) < 19:
        return list(members.filter(number=int(term))[:1])
    if "@" in term:
        return list(members.filter(email__iexact=term)[:limit])
    return list(members.filter(name__istartswith=term)[:limit])
