"""Double submits of the account forms keep one record (issue 9: a double click is not two orders)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Order, SavedCard
from accounts.selfservice import card_add
from plexus_office.platform.models import SandboxCharge
from tests.accounts.test_services import CARD
from tests.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_today")]

ADDRESS = {
    "ship_to_street": "5 Elm St",
    "ship_to_city": "Mesa",
    "ship_to_region": "AZ",
    "ship_to_postal_code": "85201",
    "ship_to_country": "US",
}


def test_the_same_card_added_twice_is_refused_before_the_gateway_and_kept_once(subscribed):
    card_add(account=subscribed, actor=subscribed.user, **CARD)
    cards_before = SavedCard.objects.filter(account=subscribed).count()

    with pytest.raises(ValidationError) as refused:
        card_add(account=subscribed, actor=subscribed.user, **CARD)

    assert "already on file" in refused.value.message_dict["number"][0]
    assert SavedCard.objects.filter(account=subscribed).count() == cards_before


def test_a_dropship_form_submitted_twice_places_and_charges_one_order(client, subscribed):
    card_add(account=subscribed, actor=subscribed.user, **CARD, make_default=True)
    product = ProductFactory(sku="SLIM", price="89.95")
    client.force_login(subscribed.user)
    key = client.get(reverse("account_dropship")).context["form"].initial["submission_key"]
    data = {"product": product.pk, "qty": 1, "ship_to_name": "Bea Friend", "submission_key": key, **ADDRESS}

    first = client.post(reverse("account_dropship"), data)
    second = client.post(reverse("account_dropship"), data)

    assert (first.status_code, second.status_code) == (302, 302)
    order = Order.objects.get(ship_to_name="Bea Friend")
    assert SandboxCharge.objects.filter(charge_id=order.charge_id).count() == 1
    assert SandboxCharge.objects.count() == 1


def test_two_dropship_forms_place_two_orders(client, subscribed):
    card_add(account=subscribed, actor=subscribed.user, **CARD, make_default=True)
    product = ProductFactory(sku="SLIM", price="89.95")
    client.force_login(subscribed.user)
    for _ in range(2):
        key = client.get(reverse("account_dropship")).context["form"].initial["submission_key"]
        data = {
            "product": product.pk,
            "qty": 1,
            "ship_to_name": "Bea Friend",
            "submission_key": key,
            **ADDRESS,
        }
        assert client.post(reverse("account_dropship"), data).status_code == 302

    assert Order.objects.filter(ship_to_name="Bea Friend").count() == 2
