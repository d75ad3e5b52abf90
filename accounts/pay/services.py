"""The payout of a monthly period: one statement per earner, committed once.

Every unpaid ledger entry earned on or before the period's last day is settled: earnings (each tied
to the order that earned it), reversals from refunds (negative lines) and negative balances carried
from earlier periods. A statement whose balance is negative pays nothing and carries the balance to
the next period as one new unpaid adjustment (refunds.txt: "offset against any future cash
payments"): a debt is never paid out. ``pay_period_preview`` computes the same figures without
writing; ``pay_period_commit`` writes them, and a second commit of a period is refused (the period is
unique on ``PayRun``, so two commits at once cannot both pass).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from accounts.models import Account, CommissionEntry, CommissionKind, CommissionStatus
from accounts.models_billing import PayRun, Statement, StatementLine, StatementLineKind
from plexus_office import clock
from plexus_office.dates import add_months, month_start
from plexus_office.platform.audit import AuditAction, audit_record
from plexus_office.platform.errors import Refused
from plexus_office.platform.notifications import notify_many

ZERO = Decimal("0.00")
CARRIED_NOTE = "Negative balance carried forward from the statement of "


def period_end(period: date) -> date:
    return add_months(month_start(period), 1) - timedelta(days=1)


def line_kind(entry: CommissionEntry) -> str:
    if entry.amount >= 0:
        return StatementLineKind.EARNED
    if entry.reverses_id:
        return StatementLineKind.REVERSAL
    if entry.note.startswith(CARRIED_NOTE) or entry.note.startswith("Negative balance carried forward"):
        return StatementLineKind.CARRIED
    return StatementLineKind.ADJUSTMENT


def line_description(entry: CommissionEntry) -> str:
    kind = line_kind(entry)
    order_ref = entry.order.ref if entry.order_id and entry.order else ""
    label = str(CommissionKind(entry.kind).label) if entry.kind in CommissionKind.values else entry.kind
    if kind == StatementLineKind.EARNED:
        return f"{label} on order {order_ref}" if order_ref else label
    if kind == StatementLineKind.REVERSAL:
        return (
            f"Reversal of the {label.lower()} on order {order_ref} (refund)"
            if order_ref
            else (entry.note or "Reversal (refund)")
        )
    return entry.note or label


@dataclass
class EarnerFigures:
    earner_id: int
    entries: list[CommissionEntry] = field(default_factory=list)
    earnings: Decimal = ZERO
    reversals: Decimal = ZERO
    carried_in: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.earnings + self.reversals + self.carried_in

    @property
    def net_paid(self) -> Decimal:
        return max(self.balance, ZERO)

    @property
    def carried_forward(self) -> Decimal:
        return min(self.balance, ZERO)


@dataclass
class PayPreview:
    period: date
    period_end: date
    earners: list[EarnerFigures]
    already_committed: PayRun | None

    @property
    def earnings(self) -> Decimal:
        return sum((e.earnings for e in self.earners), ZERO)

    @property
    def reversals(self) -> Decimal:
        return sum((e.reversals for e in self.earners), ZERO)

    @property
    def carried_in(self) -> Decimal:
        return sum((e.carried_in for e in self.earners), ZERO)

    @property
    def net_paid(self) -> Decimal:
        return sum((e.net_paid for e in self.earners), ZERO)

    @property
    def carried_forward(self) -> Decimal:
        return sum((e.carried_forward for e in self.earners), ZERO)

    @property
    def negative_earners(self) -> list[EarnerFigures]:
        return [e for e in self.earners if e.balance < 0]


def _figures(entries: list[CommissionEntry]) -> list[EarnerFigures]:
    by_earner: dict[int, EarnerFigures] = defaultdict(lambda: EarnerFigures(0))
    for entry in entries:
        figures = by_earner[entry.earner_id]
        figures.earner_id = entry.earner_id
        figures.entries.append(entry)
        kind = line_kind(entry)
        if kind == StatementLineKind.EARNED:
            figures.earnings += entry.amount
        elif kind == StatementLineKind.CARRIED:
            figures.carried_in += entry.amount
        else:
            figures.reversals += entry.amount
    return [by_earner[k] for k in sorted(by_earner)]


def _unpaid(period: date):
    return (
        CommissionEntry.objects.filter(status=CommissionStatus.UNPAID, earned_on__lte=period_end(period))
        .select_related("order")
        .order_by("earner_id", "earned_on", "id")
    )


def _check_period(period: date, today: date) -> date:
    start = month_start(period)
    if period_end(start) >= today:
        raise Refused(
            "period_not_over",
            f"Period: {start:%B %Y} is not over yet; "
            f"it can be paid from {period_end(start) + timedelta(days=1)}.",
            field="period",
        )
    return start


def pay_period_preview(*, period: date, today: date | None = None) -> PayPreview:
    """What committing ``period`` would pay, carry and settle; writes nothing."""
    start = _check_period(period, clock.today(today))
    return PayPreview(
        period=start,
        period_end=period_end(start),
        earners=_figures(list(_unpaid(start))),
        already_committed=PayRun.objects.filter(period=start).first(),
    )


def pay_period_commit(
    *, period: date, actor: Any, source: str = "admin", today: date | None = None
) -> PayRun:
    """Settle the period: statements, lines, carried negatives, entries paid; emails on commit."""
    day = clock.today(today)
    start = _check_period(period, day)
    user = actor if actor is not None and getattr(actor, "pk", None) else None
    try:
        with transaction.atomic():
            run = PayRun.objects.create(
                period=start,
                period_end=period_end(start),
                committed_at=clock.now(),
                committed_by=user,
                source=source,
            )
            # The unique period makes a second commit wait here for the first, then fail.
            entries = list(_unpaid(start).select_for_update(of=("self",)))
            figures = _figures(entries)
            _write(run, figures, day=day)
            audit_record(
                actor=user,
                obj=run,
                action=AuditAction.PAYOUT_COMMITTED,
                note=f"{run.statements_count} statements, net {run.net_paid}, carried {run.carried_forward}",
                changes={
                    "net_paid": (None, str(run.net_paid)),
                    "carried_forward": (None, str(run.carried_forward)),
                },
            )
    except IntegrityError:
        existing = PayRun.objects.filter(period=start).first()
        when = f" on {existing.committed_at:%Y-%m-%d %H:%M}" if existing else ""
        raise Refused(
            "already_committed",
            f"The payout of {start:%B %Y} was already committed{when}; a period is paid once.",
            field="period",
        ) from None
    return run


def _write(run: PayRun, figures: list[EarnerFigures], *, day: date) -> None:
    statements = Statement.objects.bulk_create(
        [
            Statement(
                run=run,
                earner_id=f.earner_id,
                period=run.period,
                earnings=f.earnings,
                reversals=f.reversals,
                carried_in=f.carried_in,
                net_paid=f.net_paid,
                carried_forward=f.carried_forward,
            )
            for f in figures
        ],
        batch_size=1000,
    )
    lines: list[StatementLine] = []
    carried: list[tuple[Statement, CommissionEntry]] = []
    for statement, f in zip(statements, figures, strict=True):
        for entry in f.entries:
            lines.append(
                StatementLine(
                    statement=statement,
                    entry=entry,
                    kind=line_kind(entry),
                    description=line_description(entry)[:300],
                    order_ref=entry.order.ref if entry.order_id and entry.order else "",
                    earned_on=entry.earned_on,
                    amount=entry.amount,
                )
            )
        if f.carried_forward < 0:
            carried.append(
                (
                    statement,
                    CommissionEntry(
                        earner_id=f.earner_id,
                        kind=CommissionKind.ADJUSTMENT,
                        amount=f.carried_forward,
                        status=CommissionStatus.UNPAID,
                        earned_on=run.period_end,
                        note=f"{CARRIED_NOTE}{run.period:%B %Y}",
                    ),
                )
            )
    StatementLine.objects.bulk_create(lines, batch_size=2000)
    settled = [e.pk for f in figures for e in f.entries]
    for i in range(0, len(settled), 5000):
        CommissionEntry.objects.filter(pk__in=settled[i : i + 5000], status=CommissionStatus.UNPAID).update(
            status=CommissionStatus.PAID, paid_on=day
        )
    made = CommissionEntry.objects.bulk_create([entry for _, entry in carried])
    for (statement, _), entry in zip(carried, made, strict=True):
        statement.carried_entry = entry
    Statement.objects.bulk_update([s for s, _ in carried], ["carried_entry"], batch_size=1000)
    run.statements_count = len(statements)
    run.earnings = sum((f.earnings for f in figures), ZERO)
    run.reversals = sum((f.reversals for f in figures), ZERO)
    run.carried_in = sum((f.carried_in for f in figures), ZERO)
    run.net_paid = sum((f.net_paid for f in figures), ZERO)
    run.carried_forward = sum((f.carried_forward for f in figures), ZERO)
    run.save()
    earners = {s.earner_id: s for s in statements}
    recipients = Account.objects.filter(pk__in=list(earners)).only("pk", "email", "name")
    notify_many(
        items=[
            {
                "recipient": account,
                "event": "accounts_pay_statement",
                "context": {
                    "period": f"{run.period:%B %Y}",
                    "period_on": run.period.isoformat(),  # shown in the recipient's language
                    "earnings": str(earners[account.pk].earnings),
                    "reversals": str(earners[account.pk].reversals),
                    "carried_in": str(earners[account.pk].carried_in),
                    "net_paid": str(earners[account.pk].net_paid),
                    "carried_forward": str(earners[account.pk].carried_forward),
                },
                "link": f"/pay/{earners[account.pk].pk}/",
            }
            for account in recipients
        ]
    )


def pay_monthly_run(*, today: date | None = None, payout_day: int = 5) -> PayRun | None:
    """The monthly beat job: from ``payout_day`` on, commit last month's payout if nobody did."""
    day = clock.today(today)
    if day.day < payout_day:
        return None
    period = add_months(month_start(day), -1)
    if PayRun.objects.filter(period=period).exists():
        return None
    try:
        return pay_period_commit(period=period, actor=None, source="monthly job", today=day)
    except Refused:
        return None  # committed meanwhile by Finance
