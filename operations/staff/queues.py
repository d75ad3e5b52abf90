"""Which queue each staff group works, and how a queue's figures are read.

One ``QueueSpec`` per (group, stage): the Refund model is one table but three queues (Customer
Service decides requests, Returns receives packages, Finance pays), each with its own open items and
its own deadline. The dashboards, the escalation digest and the metrics job all read this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Model, Q
from django.utils import timezone

from clearing.models import ClearRequest, ClearStatus
from leads.models import CorrectionStatus, SponsorCorrection
from plexus_office.platform.business_days import add_business_days
from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE, RETURNS
from refunds.models import Refund, RefundReason, RefundStatus
from refunds.selectors import PAY_AFTER_RECEIPT_BUSINESS_DAYS


def _local_day(moment: Any) -> date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def _day(value: Any) -> Any:
    """A decision's day: a date as is, a moment as its local date."""
    return _local_day(value) if isinstance(value, datetime) else value


def _judged(rows: Any, deadline_of: Callable[..., date | None]) -> Iterator[tuple[Any, bool]]:
    """(day decided, on time) for rows ``(decided day or moment, *facts)``; ``deadline_of(*facts)`` is
    the due date (None: on time by definition)."""
    for decided, *facts in rows.iterator(chunk_size=5000):
        day = _day(decided)
        due = deadline_of(*facts)
        yield day, due is None or day <= due


def _window(field: str, start: date, end: date) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def _moment_window(field: str, start: date, end: date) -> Q:
    tz = timezone.get_current_timezone()
    low = timezone.make_aware(datetime.combine(start, datetime.min.time()), tz)
    high = timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()), tz)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


@dataclass(frozen=True)
class QueueSpec:
    key: str
    label: str
    group: str
    model: type[Model]
    open_q: Q
    changelist: str  # admin URL name
    open_params: str  # query string of the open items on the changelist
    # (start, end) -> the day each item entered the queue in that window
    entries: Callable[[date, date], Iterable[Any]]
    # (start, end) -> (day decided, decided by the due date) for items decided in the window
    decisions: Callable[[date, date], Iterable[tuple[Any, bool]]]

    def open_items(self):
        return self.model._default_manager.filter(self.open_q)

    def live_counts(self, *, today: date, user: Any) -> dict[str, int]:
        """Open, due today, overdue and claimed by ``user``.

        Two index-friendly queries: open rows grouped by due date (the ``(status, due_on)`` index
        answers it without reading the rows when the open filter is on status alone), and the
        user's own claims (the assignee index).
        """
        counts = {"open": 0, "due_today": 0, "overdue": 0, "mine": 0}
        # COUNT(*), not COUNT(id): the id is not in the index, counting it would read every row.
        by_day = self.open_items().values("due_on").annotate(n=Count("*")).order_by()
        for row in by_day:
            counts["open"] += row["n"]
            if row["due_on"] is not None and row["due_on"] == today:
                counts["due_today"] += row["n"]
            elif row["due_on"] is not None and row["due_on"] < today:
                counts["overdue"] += row["n"]
        user_id = getattr(user, "pk", None)
        if user_id:
            counts["mine"] = self.open_items().filter(assignee_id=user_id).count()
        return counts


# --- entries and decisions per queue ------------------------------------------------------------


def _decided_items(model: type[Model], closed: Iterable[str]):
    def decisions(start: date, end: date) -> Iterable[tuple[Any, bool]]:
        rows = model._default_manager.filter(
            _moment_window("decided_at", start, end), status__in=list(closed)
        ).values_list("decided_at", "due_on")
        return _judged(rows, lambda due_on: due_on)

    return decisions


def _submitted_items(model: type[Model]):
    def entries(start: date, end: date) -> Iterable[Any]:
        rows = model._default_manager.filter(_moment_window("submitted_at", start, end))
        for moment in rows.values_list("submitted_at", flat=True).iterator(chunk_size=5000):
            yield _local_day(moment)

    return entries


def _refund_requests(start: date, end: date) -> Iterable[Any]:
    return Refund.objects.filter(_window("requested_on", start, end)).values_list("requested_on", flat=True)


def _refund_cs_decisions(start: date, end: date) -> Iterable[tuple[Any, bool]]:
    """Authorized (``authorized_on``) or rejected while still requested, against requested + 2 days."""
    deadlines: dict[date, date] = {}

    def deadline(requested_on: date) -> date:
        if requested_on not in deadlines:
            deadlines[requested_on] = add_business_days(requested_on, Refund.SLA_BUSINESS_DAYS)
        return deadlines[requested_on]

    authorized = Refund.objects.filter(_window("authorized_on", start, end)).values_list(
        "authorized_on", "requested_on"
    )
    yield from _judged(authorized, deadline)
    rejected = Refund.objects.filter(
        _moment_window("decided_at", start, end), status=RefundStatus.REJECTED, authorized_on__isnull=True
    ).values_list("decided_at", "requested_on")
    yield from _judged(rejected, deadline)


def _refund_returns_entries(start: date, end: date) -> Iterable[Any]:
    return (
        Refund.objects.filter(_window("authorized_on", start, end))
        .exclude(reason=RefundReason.STORE_PICKUP)
        .values_list("authorized_on", flat=True)
    )


def _refund_returns_decisions(start: date, end: date) -> Iterable[tuple[Any, bool]]:
    rows = Refund.objects.filter(_window("received_on", start, end)).values_list(
        "received_on", "return_deadline"
    )
    return _judged(rows, lambda return_deadline: return_deadline)


def _refund_finance_entries(start: date, end: date) -> Iterable[Any]:
    received = Refund.objects.filter(_window("received_on", start, end)).values_list("received_on", flat=True)
    yield from received
    yield from Refund.objects.filter(
        _window("authorized_on", start, end), reason=RefundReason.STORE_PICKUP
    ).values_list("authorized_on", flat=True)


def _refund_finance_decisions(start: date, end: date) -> Iterable[tuple[Any, bool]]:
    rows = Refund.objects.filter(_window("refunded_on", start, end)).values_list(
        "refunded_on", "received_on", "authorized_on"
    )

    def due(received_on: date | None, authorized_on: date | None) -> date | None:
        # Paid by the due date, 5 business days after receipt (refunds.txt, stage 4).
        ready = received_on or authorized_on
        return add_business_days(ready, PAY_AFTER_RECEIPT_BUSINESS_DAYS) if ready else None

    return _judged(rows, due)


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec(
        key="clearing",
        label="Clear requests",
        group=CUSTOMER_SERVICE,
        model=ClearRequest,
        open_q=Q(status=ClearStatus.SUBMITTED),
        changelist="admin:clearing_clearrequest_changelist",
        open_params="status__exact=submitted",
        entries=_submitted_items(ClearRequest),
        decisions=_decided_items(ClearRequest, [ClearStatus.CLEARED, ClearStatus.REJECTED]),
    ),
    QueueSpec(
        key="corrections",
        label="Sponsor corrections",
        group=CUSTOMER_SERVICE,
        model=SponsorCorrection,
        open_q=Q(status=CorrectionStatus.SUBMITTED),
        changelist="admin:leads_sponsorcorrection_changelist",
        open_params="status__exact=submitted",
        entries=_submitted_items(SponsorCorrection),
        decisions=_decided_items(SponsorCorrection, [CorrectionStatus.APPROVED, CorrectionStatus.REJECTED]),
    ),
    QueueSpec(
        key="refunds_requested",
        label="Refund requests to authorize",
        group=CUSTOMER_SERVICE,
        model=Refund,
        open_q=Q(status=RefundStatus.REQUESTED),
        changelist="admin:refunds_refund_changelist",
        open_params="status__exact=requested",
        entries=_refund_requests,
        decisions=_refund_cs_decisions,
    ),
    QueueSpec(
        key="refunds_returns",
        label="Returns awaited",
        group=RETURNS,
        model=Refund,
        open_q=Q(status=RefundStatus.AUTHORIZED) & ~Q(reason=RefundReason.STORE_PICKUP),
        changelist="admin:refunds_refund_changelist",
        open_params="status__exact=authorized",
        entries=_refund_returns_entries,
        decisions=_refund_returns_decisions,
    ),
    QueueSpec(
        key="refunds_payments",
        label="Refunds to pay",
        group=FINANCE,
        model=Refund,
        open_q=Q(status=RefundStatus.RECEIVED)
        | Q(status=RefundStatus.AUTHORIZED, reason=RefundReason.STORE_PICKUP),
        changelist="admin:refunds_refund_changelist",
        open_params="status__exact=received",
        entries=_refund_finance_entries,
        decisions=_refund_finance_decisions,
    ),
)


def queues_for(group_names: Iterable[str]) -> list[QueueSpec]:
    names = set(group_names)
    return [q for q in QUEUES if q.group in names]
