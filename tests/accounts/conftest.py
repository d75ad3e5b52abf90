from __future__ import annotations

import pytest

from plexus_office import clock
from tests.factories import TODAY, AmbassadorFactory, SavedCardFactory, SubscriptionFactory, UserFactory

FULL_ADDRESS = {
    "mailing_street": "1 Main St",
    "mailing_unit": "Apt 4",
    "mailing_city": "Scottsdale",
    "mailing_region": "AZ",
    "mailing_postal_code": "85251",
    "mailing_country": "US",
}


@pytest.fixture
def _today():
    """The self-service tests run on the factories' business day (``usefixtures`` in those modules)."""
    with clock.frozen_at(TODAY):
        yield


@pytest.fixture
def member(db):
    """A holder with a login, a complete profile, reviewed today, no cards."""
    user = UserFactory(username="ann")
    return AmbassadorFactory(
        user=user,
        name="Ann Example",
        email="ann@example.com",
        phone="+14805550123",
        info_reviewed_at=clock.now(),
        **FULL_ADDRESS,
        **{k.replace("mailing_", "shipping_"): v for k, v in FULL_ADDRESS.items()},
    )


@pytest.fixture
def subscribed(member):
    """The member with a default card paying an active subscription."""
    card = SavedCardFactory(account=member, is_default=True, last4="4242", exp_month=12, exp_year=2030)
    SubscriptionFactory(account=member, card=card)
    return member


@pytest.fixture
def client_ann(client, member):
    client.force_login(member.user)
    return client
