"""The monthly subscription charge: once per subscription and month, declines retried, then paused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Order, PerkCredit, SavedCard, Subscription
from accounts.models_billing import ChargeStatus, SubscriptionCharge
from accounts.models_selfservice import AccountFlag, FlagCode
from accounts.selfservice import card_add, subscription_card_set
from accounts.subscriptions.charging import (
    subscription_charge_month,
    subscription_charges_run,
    subscription_charges_schedule,
)
from plexus_office import clock
from plexus_office.platform.models import EmailOutbox, SandboxCharge
from tests.accounts.billing_builders import DECLINES, GOOD, gateway_card, subscriber

pytestmark = pytest.mark.django_db

DAY1 = date(2026, 3, 10)


def _run(day: date) -> dict[str, int]:
    with clock.frozen_at(day):
        return subscription_charges_run()


def test_a_due_subscription_is_charged_once_with_its_order_lines_pv_and_perks():
    account = subscriber(3001)

    counts = _run(DAY1)

    assert counts == {"scheduled": 1, "paid": 1}
    order = Order.objects.get(account=account)
    assert order.ref == "S-3001-202603"
    assert order.subscription_order is True
    assert order.ordered_on == DAY1
    assert [
        (line.product.sku, line.qty, line.unit_price, line.pv) for line in order.lines.order_by("id")
    ] in (
        [("LEAN", 1, Decimal("49.95"), 45), ("SLIM", 1, Decimal("89.95"), 60)],
        [("SLIM", 1, Decimal("89.95"), 60), ("LEAN", 1, Decimal("49.95"), 45)],
    )
    charge = SubscriptionCharge.objects.get()
    assert (charge.status, charge.amount, charge.pv, charge.order_id) == (
        "paid",
        Decimal("139.90"),
        105,
        order.pk,
    )
    gateway = SandboxCharge.objects.get()
    assert (gateway.idempotency_key, gateway.amount) == (
        f"subscription-{charge.subscription_id}-2026-03",
        Decimal("139.90"),
    )
    assert order.charge_id == gateway.charge_id
    assert PerkCredit.objects.get(order=order).amount == Decimal(
        "10.00"
    )  # 105 PV reaches the 100 PV threshold
    assert Subscription.objects.get(account=account).next_charge_on == date(2026, 4, 10)
    assert list(EmailOutbox.objects.values_list("event", flat=True)) == ["accounts_order_confirmation"]


def test_running_the_job_again_the_same_day_charges_nothing_more():
    subscriber(3002)
    _run(DAY1)

    assert _run(DAY1) == {"scheduled": 0}
    assert SandboxCharge.objects.count() == 1
    assert Order.objects.count() == 1


def test_a_subscription_not_due_yet_is_left_alone():
    subscriber(3003, next_charge_on=date(2026, 3, 11))

    assert _run(DAY1) == {"scheduled": 0}
    assert SubscriptionCharge.objects.count() == 0


def test_a_decline_emails_flags_and_retries_on_day_3_then_day_7_then_pauses():
    account = subscriber(3004, card_number=DECLINES)

    assert _run(DAY1) == {"scheduled": 1, "declined": 1}
    charge = SubscriptionCharge.objects.get()
    assert (charge.status, charge.attempts, charge.next_attempt_on) == ("declined", 1, date(2026, 3, 12))
    assert AccountFlag.objects.filter(account=account, code=FlagCode.SUBSCRIPTION_DECLINED).exists()
    assert _run(date(2026, 3, 11)) == {"scheduled": 0}  # day 2: nothing

    assert _run(date(2026, 3, 12)) == {"scheduled": 0, "declined": 1}
    charge.refresh_from_db()
    assert (charge.attempts, charge.next_attempt_on) == (2, date(2026, 3, 16))

    assert _run(date(2026, 3, 16)) == {"scheduled": 0, "failed": 1}
    charge.refresh_from_db()
    assert (charge.status, charge.attempts, charge.next_attempt_on) == ("failed", 3, None)
    subscription = Subscription.objects.get(account=account)
    assert (subscription.status, subscription.paused_by_declines) == ("paused", True)
    assert AccountFlag.objects.filter(account=account, code=FlagCode.SUBSCRIPTION_DECLINED).exists()
    events = list(EmailOutbox.objects.order_by("id").values_list("event", "context___link"))
    assert events == [
        ("accounts_subscription_declined", "/account/cards/"),
        ("accounts_subscription_declined", "/account/cards/"),
        ("accounts_subscription_paused", "/account/cards/"),
    ]
    assert SandboxCharge.objects.count() == 0 and Order.objects.count() == 0


def test_an_expired_card_is_a_decline_without_asking_the_gateway():
    account = subscriber(3005)
    Subscription.objects.filter(account=account).update(
        card=gateway_card(account, exp_year=2026, default=False)
    )
    SavedCard.objects.filter(account=account, exp_year=2026).update(exp_month=2)

    assert _run(DAY1) == {"scheduled": 1, "declined": 1}
    assert "expired" in SubscriptionCharge.objects.get().last_error


def test_adding_a_working_card_after_a_decline_charges_at_once_and_clears_the_flag():
    account = subscriber(3006, card_number=DECLINES)
    _run(DAY1)

    with clock.frozen_at(date(2026, 3, 11)):
        card = card_add(
            account=account,
            actor=account.user,
            number=GOOD,
            exp_month=11,
            exp_year=2031,
            cvv="123",
            holder_name="Member 3006",
            postal_code="85251",
        )

    charge = SubscriptionCharge.objects.get()
    assert (charge.status, charge.attempts) == ("paid", 2)
    assert Subscription.objects.get(account=account).card_id == card.pk
    assert SandboxCharge.objects.count() == 1
    assert not AccountFlag.objects.filter(account=account, code=FlagCode.SUBSCRIPTION_DECLINED).exists()
    assert _run(date(2026, 3, 12)) == {"scheduled": 0}  # the retry day finds nothing left to do
    assert SandboxCharge.objects.count() == 1


def test_choosing_another_card_resumes_a_subscription_paused_by_declines():
    account = subscriber(3007, card_number=DECLINES)
    for day in (DAY1, date(2026, 3, 12), date(2026, 3, 16)):
        _run(day)
    good = gateway_card(account, GOOD, default=False)

    with clock.frozen_at(date(2026, 3, 20)):
        subscription_card_set(account=account, actor=account.user, card_id=good.pk)

    subscription = Subscription.objects.get(account=account)
    assert (subscription.status, subscription.paused_by_declines) == ("active", False)
    assert subscription.next_charge_on == date(2026, 4, 10)
    assert SubscriptionCharge.objects.get().status == ChargeStatus.PAID
    assert Order.objects.get(account=account).ref == "S-3007-202603"


def test_charging_a_month_directly_is_idempotent():
    account = subscriber(3008, next_charge_on=None)
    subscription = Subscription.objects.get(account=account)

    with clock.frozen_at(DAY1):
        first = subscription_charge_month(subscription=subscription, actor=account.user)
        second = subscription_charge_month(subscription=subscription, actor=account.user)

    assert first.pk == second.pk and second.status == "paid"
    assert SandboxCharge.objects.count() == 1
    assert Subscription.objects.get(pk=subscription.pk).next_charge_on == date(2026, 4, 10)


def test_a_paused_subscription_with_a_pending_charge_is_not_charged():
    account = subscriber(3009)
    with clock.frozen_at(DAY1):
        subscription_charges_schedule()
    Subscription.objects.filter(account=account).update(status="paused")

    assert _run(DAY1) == {"scheduled": 0, "cancelled": 1}
    assert SandboxCharge.objects.count() == 0
