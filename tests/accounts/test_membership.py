"""Membership: pay/renew the fee (one charge per due date), the VIP upgrade, reminders once each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from accounts.enrollment.membership import membership_fee_pay, membership_fee_reminders, membership_upgrade
from accounts.models import Account, Enrollment, MembershipFeePayment
from plexus_office import clock
from plexus_office.platform.errors import Refused
from plexus_office.platform.gateway import get_gateway
from plexus_office.platform.models import EmailOutbox, SandboxCharge
from tests.factories import AmbassadorFactory, SavedCardFactory, UserFactory, VipCustomerFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(TODAY):
        yield


def gateway_card(account, number="4242424242424242"):
    token = get_gateway().tokenize(
        number=number, exp_month=12, exp_year=2030, cvv="123", holder_name=account.name, postal_code="85251"
    )
    return SavedCardFactory(account=account, token=token.token, last4=token.last4, is_default=True)


@pytest.fixture
def amy():
    user = UserFactory(username="amy")
    return AmbassadorFactory(user=user, email="amy@example.com", membership_fee_due_on=date(2026, 3, 1))


def test_paying_an_overdue_fee_runs_a_year_from_the_payment_day(amy):
    card = gateway_card(amy)

    payment = membership_fee_pay(account=amy, actor=amy.user, card_id=card.pk)

    amy.refresh_from_db()
    assert (payment.amount, payment.paid_on, payment.covers_until, amy.membership_fee_due_on) == (
        Decimal("49.00"),
        TODAY,
        date(2027, 3, 10),
        date(2027, 3, 10),
    )
    assert SandboxCharge.objects.get().amount == Decimal("49.00")
    assert EmailOutbox.objects.get(event="accounts_membership_fee_receipt").to_email == "amy@example.com"


def test_renewing_early_runs_a_year_from_the_old_due_date(amy):
    Account.objects.filter(pk=amy.pk).update(membership_fee_due_on=date(2026, 4, 1))
    amy.refresh_from_db()
    gateway_card(amy)

    assert membership_fee_pay(account=amy, actor=amy.user).covers_until == date(2027, 4, 1)


def test_a_second_click_pays_once(amy):
    gateway_card(amy)
    first = membership_fee_pay(account=amy, actor=amy.user)
    stale = Account.objects.get(pk=amy.pk)
    stale.membership_fee_due_on = date(2026, 3, 1)  # the page the second click came from

    second = membership_fee_pay(account=stale, actor=amy.user)

    assert second.pk == first.pk
    assert (MembershipFeePayment.objects.count(), SandboxCharge.objects.count()) == (1, 1)


def test_renewal_is_refused_until_90_days_before_the_due_date(amy):
    Account.objects.filter(pk=amy.pk).update(membership_fee_due_on=date(2026, 9, 1))
    amy.refresh_from_db()
    gateway_card(amy)

    with pytest.raises(Refused) as refused:
        membership_fee_pay(account=amy, actor=amy.user)

    assert refused.value.code == "not_due_yet"
    assert not SandboxCharge.objects.exists()


def test_a_declined_card_pays_nothing_and_keeps_the_due_date(amy):
    gateway_card(amy, number="4000000000000341")

    with pytest.raises(Refused) as refused:
        membership_fee_pay(account=amy, actor=amy.user)

    amy.refresh_from_db()
    assert refused.value.code == "card_declined"
    assert (amy.membership_fee_due_on, MembershipFeePayment.objects.count()) == (date(2026, 3, 1), 0)


def test_only_the_holder_pays(amy):
    gateway_card(amy)

    with pytest.raises(Refused) as refused:
        membership_fee_pay(account=amy, actor=UserFactory())

    assert refused.value.code == "not_holder"


def test_a_vip_upgrades_and_keeps_number_and_sponsor():
    sponsor = AmbassadorFactory()
    vip = VipCustomerFactory(user=UserFactory(username="vic"), sponsor=sponsor)
    gateway_card(vip)

    membership_upgrade(account=vip, actor=vip.user)

    again = Account.objects.get(pk=vip.pk)
    assert (again.number, again.kind, again.sponsor_id, again.membership_fee_due_on) == (
        vip.number,
        "ambassador",
        sponsor.pk,
        date(2027, 3, 10),
    )
    assert Enrollment.objects.get(account=vip).channel == "upgrade"
    assert MembershipFeePayment.objects.get(account=vip).amount == Decimal("49.00")


def test_an_upgrade_clicked_twice_charges_once():
    vip = VipCustomerFactory(user=UserFactory(username="vic"))
    gateway_card(vip)
    membership_upgrade(account=vip, actor=vip.user)
    stale = Account.objects.get(pk=vip.pk)
    stale.kind = "vip_customer"

    membership_upgrade(account=stale, actor=vip.user)

    assert SandboxCharge.objects.count() == 1 and MembershipFeePayment.objects.count() == 1


def test_reminders_go_30_days_before_and_when_overdue_once_each():
    soon = AmbassadorFactory(email="soon@example.com", membership_fee_due_on=date(2026, 4, 9))
    later = AmbassadorFactory(email="later@example.com", membership_fee_due_on=date(2026, 4, 10))
    late = AmbassadorFactory(email="late@example.com", membership_fee_due_on=date(2026, 3, 9))

    assert membership_fee_reminders() == {"reminder": 1, "overdue": 1}
    assert membership_fee_reminders() == {"reminder": 0, "overdue": 0}
    assert sorted(EmailOutbox.objects.values_list("to_email", "event")) == [
        ("late@example.com", "accounts_membership_fee_overdue"),
        ("soon@example.com", "accounts_membership_fee_reminder"),
    ]
    assert later.pk and soon.pk and late.pk


def test_the_membership_page_shows_the_due_date_and_pays(amy):
    card = gateway_card(amy)
    client = Client()
    client.force_login(amy.user)

    page = client.get("/account/membership/").content.decode()
    assert "March 1, 2026" in page and "overdue" in page and f"/join/{amy.number}/" in page

    answer = client.post("/account/membership/pay/", {"card": card.pk}, follow=True)
    assert "runs until March 10, 2027" in answer.content.decode()


def test_the_dashboard_shows_the_personal_enrollment_link(amy):
    client = Client()
    client.force_login(amy.user)

    page = client.get("/").content.decode()

    assert f"http://testserver/join/{amy.number}/" in page and "Copy link" in page
