"""Commission statements: a period's payout with a clawback carried to the next period, exact amounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import CommissionEntry, CommissionKind, CommissionStatus
from accounts.models_billing import PayRun, Statement
from accounts.pay.services import pay_monthly_run, pay_period_commit, pay_period_preview
from plexus_office.platform.errors import Refused
from plexus_office.platform.models import EmailOutbox
from tests.factories import AmbassadorFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _entry(earner, amount, earned_on, *, order=None, reverses=None, status="unpaid", kind=None):
    return CommissionEntry.objects.create(
        earner=earner,
        kind=kind or (CommissionKind.VIP_CUSTOMER_BONUS if D(amount) > 0 else CommissionKind.ADJUSTMENT),
        amount=D(amount),
        order=order,
        reverses=reverses,
        status=status,
        earned_on=earned_on,
        paid_on=date(2026, 2, 5) if status == "paid" else None,
    )


@pytest.fixture
def finance(db):
    return UserFactory(username="fin", is_staff=True)


@pytest.fixture
def earner(db):
    return AmbassadorFactory(number=7001, name="Erin Earner", email="erin@example.com")


def _march_with_clawback(earner):
    """March: one 20.00 bonus; two bonuses paid in January are reversed by refunds (-30.00, -45.00)."""
    b, c, d = (OrderFactory(ref=ref) for ref in ("O-B", "O-C", "O-D"))
    paid_b = _entry(earner, "30.00", date(2026, 1, 10), order=b, status="paid")
    paid_c = _entry(earner, "45.00", date(2026, 1, 12), order=c, status="paid")
    _entry(earner, "-30.00", date(2026, 3, 3), order=b, reverses=paid_b)
    _entry(earner, "-45.00", date(2026, 3, 4), order=c, reverses=paid_c)
    _entry(earner, "20.00", date(2026, 3, 15), order=d)


def test_a_negative_period_pays_nothing_and_carries_the_balance_to_the_next_period(earner, finance):
    _march_with_clawback(earner)

    run = pay_period_commit(period=date(2026, 3, 1), actor=finance, today=date(2026, 4, 5))

    statement = Statement.objects.get(run=run, earner=earner)
    assert (statement.earnings, statement.reversals, statement.carried_in) == (
        D("20.00"),
        D("-75.00"),
        D("0.00"),
    )
    assert (statement.net_paid, statement.carried_forward) == (D("0.00"), D("-55.00"))
    assert [(line.kind, line.order_ref, line.amount) for line in statement.lines.order_by("earned_on")] == [
        ("reversal", "O-B", D("-30.00")),
        ("reversal", "O-C", D("-45.00")),
        ("earned", "O-D", D("20.00")),
    ]
    carried = statement.carried_entry
    assert (carried.amount, carried.status, carried.earned_on) == (D("-55.00"), "unpaid", date(2026, 3, 31))
    assert (run.net_paid, run.carried_forward, run.statements_count) == (D("0.00"), D("-55.00"), 1)
    assert not CommissionEntry.objects.filter(status="unpaid").exclude(pk=carried.pk).exists()

    _entry(earner, "100.00", date(2026, 4, 2), order=OrderFactory(ref="O-E"))
    april = pay_period_commit(period=date(2026, 4, 1), actor=finance, today=date(2026, 5, 5))

    statement = Statement.objects.get(run=april, earner=earner)
    assert (statement.earnings, statement.reversals, statement.carried_in) == (
        D("100.00"),
        D("0.00"),
        D("-55.00"),
    )
    assert (statement.net_paid, statement.carried_forward, statement.carried_entry) == (
        D("45.00"),
        D("0.00"),
        None,
    )
    assert [(line.kind, line.amount) for line in statement.lines.order_by("earned_on")] == [
        ("carried", D("-55.00")),
        ("earned", D("100.00")),
    ]
    assert not CommissionEntry.objects.filter(status=CommissionStatus.UNPAID).exists()


def test_each_earner_gets_a_statement_email(earner, finance):
    _march_with_clawback(earner)

    pay_period_commit(period=date(2026, 3, 1), actor=finance, today=date(2026, 4, 5))

    email = EmailOutbox.objects.get(event="accounts_pay_statement")
    assert email.to_email == "erin@example.com"
    assert email.context["net_paid"] == "0.00" and email.context["carried_forward"] == "-55.00"


def test_the_preview_shows_the_commit_figures_and_writes_nothing(earner):
    _march_with_clawback(earner)

    preview = pay_period_preview(period=date(2026, 3, 1), today=date(2026, 4, 5))

    assert (preview.earnings, preview.reversals, preview.net_paid, preview.carried_forward) == (
        D("20.00"),
        D("-75.00"),
        D("0.00"),
        D("-55.00"),
    )
    assert [e.earner_id for e in preview.negative_earners] == [earner.pk]
    assert PayRun.objects.count() == 0
    assert CommissionEntry.objects.filter(status="unpaid").count() == 3


def test_a_second_commit_of_the_same_period_is_refused_and_changes_nothing(earner, finance):
    _march_with_clawback(earner)
    pay_period_commit(period=date(2026, 3, 1), actor=finance, today=date(2026, 4, 5))
    _entry(earner, "5.00", date(2026, 3, 20))  # arrived late: belongs to the next payout
    before = list(CommissionEntry.objects.order_by("id").values_list("id", "status"))

    with pytest.raises(Refused) as refusal:
        pay_period_commit(period=date(2026, 3, 1), actor=finance, today=date(2026, 4, 6))

    assert refusal.value.code == "already_committed"
    assert list(CommissionEntry.objects.order_by("id").values_list("id", "status")) == before
    assert PayRun.objects.count() == 1 and Statement.objects.count() == 1


def test_a_period_not_over_is_refused(earner, finance):
    with pytest.raises(Refused) as refusal:
        pay_period_commit(period=date(2026, 3, 1), actor=finance, today=date(2026, 3, 31))

    assert refusal.value.field == "period"
    assert PayRun.objects.count() == 0


def test_cancelled_entries_are_not_paid(earner, finance):
    _entry(earner, "12.00", date(2026, 3, 2), status="cancelled")
    _entry(earner, "8.00", date(2026, 3, 2))

    run = pay_period_commit(period=date(2026, 3, 1), actor=finance, today=date(2026, 4, 5))

    assert run.net_paid == D("8.00")


def test_the_monthly_job_commits_last_month_from_the_payout_day_once(earner):
    _entry(earner, "8.00", date(2026, 3, 2))

    assert pay_monthly_run(today=date(2026, 4, 4), payout_day=5) is None
    run = pay_monthly_run(today=date(2026, 4, 5), payout_day=5)
    assert run is not None and (run.period, run.source, run.net_paid) == (
        date(2026, 3, 1),
        "monthly job",
        D("8.00"),
    )
    assert pay_monthly_run(today=date(2026, 4, 6), payout_day=5) is None
    assert PayRun.objects.count() == 1
