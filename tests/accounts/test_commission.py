"""Commission qualified: an ambassador with an active subscription paid by a valid, unexpired card."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from accounts.selectors import commission_qualification
from tests.factories import AmbassadorFactory, SavedCardFactory, SubscriptionFactory, VipCustomerFactory

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 3, 10)


def ambassador_with(*, status="active", exp=(12, 2030), card=True):
    ambassador = AmbassadorFactory()
    saved = SavedCardFactory(account=ambassador, exp_month=exp[0], exp_year=exp[1]) if card else None
    SubscriptionFactory(account=ambassador, status=status, card=saved)
    return ambassador


def test_active_subscription_with_an_unexpired_card_qualifies():
    result = commission_qualification(account=ambassador_with(), as_of=AS_OF)

    assert result.qualified is True
    assert result.missing == []


def test_card_expiring_this_month_is_still_valid():
    assert commission_qualification(account=ambassador_with(exp=(3, 2026)), as_of=AS_OF).qualified is True


def test_card_that_expired_last_month_is_missing():
    result = commission_qualification(account=ambassador_with(exp=(2, 2026)), as_of=AS_OF)

    assert result.qualified is False
    assert result.missing == ["an unexpired card (the subscription card expired 02/2026)"]


def test_paused_subscription_is_missing():
    result = commission_qualification(account=ambassador_with(status="paused"), as_of=AS_OF)

    assert result.missing == ["an active monthly subscription"]


def test_subscription_without_a_card_is_missing_the_card():
    result = commission_qualification(account=ambassador_with(card=False), as_of=AS_OF)

    assert result.missing == ["a card paying the subscription"]


def test_customer_is_never_commission_qualified():
    result = commission_qualification(account=VipCustomerFactory(), as_of=AS_OF)

    assert result.qualified is False
    assert result.missing == ["only ambassadors can be commission qualified"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", ["una tarjeta vigente (la tarjeta de la suscripción venció el 02/2026)"]),
        ("fr-ca", ["une carte non expirée (la carte de l’abonnement a expiré en 02/2026)"]),
    ],
)
def test_what_is_missing_reads_in_the_members_language(language, expected):
    account = ambassador_with(exp=(2, 2026))
    with translation.override(language):
        assert commission_qualification(account=account, as_of=AS_OF).missing == expected
