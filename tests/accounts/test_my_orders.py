"""My orders (web and API): newest first, each status, the detail page, refunds from a line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Fulfillment
from accounts.models_billing import Shipment
from plexus_office import clock
from plexus_office.platform.models import EmailOutbox
from refunds.models import Refund, RefundLine
from tests.accounts.billing_builders import products, subscriber
from tests.factories import AmbassadorFactory, OrderFactory, OrderLineFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(date(2026, 3, 10)):
        yield


@pytest.fixture
def ann(db):
    return subscriber(4001, username="ann")


def _order(account, ref, day, *skus, **kwargs):
    slim, lean = products()
    order = OrderFactory(account=account, ref=ref, ordered_on=day, charge_id=f"ch_{ref}", **kwargs)
    for sku in skus or ("SLIM",):
        OrderLineFactory(order=order, product=slim if sku == "SLIM" else lean)
    return order


def _refund(order, sku, status):
    product = order.lines.get(product__sku=sku).product
    refund = Refund.objects.create(
        account=order.account,
        order=order,
        requested_on=date(2026, 3, 1),
        amount=product.price,
    )
    # One return, one package: the refund's line names the product.
    RefundLine.objects.create(
        refund=refund, account=order.account, product=product, qty=1, gross=product.price, pv=product.pv
    )
    Refund.objects.filter(pk=refund.pk).update(status=status)
    return refund


def test_the_list_shows_each_status_newest_first(client, ann):
    _order(ann, "O-PAID", date(2026, 3, 9))
    shipped = _order(ann, "O-SHIP", date(2026, 3, 8))
    Shipment.objects.create(
        order=shipped, carrier="UPS", tracking_number="1Z999", shipped_on=date(2026, 3, 9)
    )
    delivered = _order(ann, "O-DELIV", date(2026, 3, 7))
    Shipment.objects.create(
        order=delivered,
        carrier="USPS",
        tracking_number="9400",
        shipped_on=date(2026, 3, 7),
        delivered_on=date(2026, 3, 9),
    )
    _order(ann, "O-PICK", date(2026, 3, 6), fulfillment=Fulfillment.PICKUP, shipping=Decimal("0.00"))
    _refund(_order(ann, "O-REF", date(2026, 3, 5)), "SLIM", "refunded")
    _refund(_order(ann, "O-PART", date(2026, 3, 4), "SLIM", "LEAN"), "LEAN", "refunded")
    _order(ann, "O-DROP", date(2026, 3, 3), ship_to_name="Dana Friend")
    client.force_login(ann.user)

    response = client.get("/api/v1/orders/")

    assert response.status_code == 200
    rows = [(r["ref"], r["status"]) for r in response.json()["results"]]
    assert rows == [
        ("O-PAID", "paid"),
        ("O-SHIP", "shipped"),
        ("O-DELIV", "delivered"),
        ("O-PICK", "awaiting_pickup"),
        ("O-REF", "refunded"),
        ("O-PART", "partly_refunded"),
        ("O-DROP", "paid"),
    ]
    assert response.json()["results"][1]["status_detail"] == "UPS, tracking 1Z999, on 2026-03-09"
    assert response.json()["results"][6]["recipient"] == "Dana Friend"
    page = client.get("/orders/").content.decode()
    assert page.index("O-PAID") < page.index("O-SHIP") < page.index("O-DROP")
    assert "Shipped to Dana Friend" in page and "Awaiting pick-up at the Scottsdale Product Store" in page


def test_the_list_is_paginated_by_twenty(client, ann):
    for i in range(21):
        _order(ann, f"O-{i:02d}", date(2026, 1, 1 + i))
    client.force_login(ann.user)

    first = client.get("/api/v1/orders/").json()
    second = client.get("/api/v1/orders/?page=2").json()

    assert (first["count"], first["pages"], len(first["results"]), first["results"][0]["ref"]) == (
        21,
        2,
        20,
        "O-20",
    )
    assert [r["ref"] for r in second["results"]] == ["O-00"]
    assert client.get("/api/v1/orders/?page=x").status_code == 400
    assert client.get("/api/v1/orders/?page=3").status_code == 404


def test_the_detail_shows_lines_pv_payment_refunds_and_a_refund_link_per_line(client, ann):
    order = _order(ann, "O-DET", date(2026, 3, 1), "SLIM", "LEAN", card=ann.cards.get())
    refund = _refund(order, "SLIM", "authorized")
    client.force_login(ann.user)

    data = client.get("/api/v1/orders/O-DET/").json()
    page = client.get("/orders/O-DET/").content.decode()

    assert (data["subtotal"], data["shipping"], data["total"], data["pv"]) == (
        "139.90",
        "7.95",
        "147.85",
        105,
    )
    assert [(line["sku"], line["refund"] and line["refund"]["status"]) for line in data["lines"]] == [
        ("SLIM", "authorized"),
        ("LEAN", None),
    ]
    assert data["payments"] == [
        {"card": "Visa •••• 4242 (12/2030)", "amount": "147.85", "charge_id": "ch_O-DET"}
    ]
    assert data["refunds"][0]["id"] == refund.pk
    assert "/refunds/?order=O-DET&amp;sku=LEAN" in page
    assert f"Refund #{refund.pk}: Authorized" in page


def test_another_members_order_is_not_found(client, ann):
    other = AmbassadorFactory(number=4002, user=UserFactory(username="bob"))
    _order(other, "O-BOB", date(2026, 3, 1))
    client.force_login(ann.user)

    assert client.get("/orders/O-BOB/").status_code == 404
    assert client.get("/api/v1/orders/O-BOB/").status_code == 404


def test_the_refund_form_opens_with_the_order_and_the_line_preselected(client, ann):
    _order(ann, "O-FORM", date(2026, 3, 1), "SLIM", "LEAN")
    client.force_login(ann.user)

    page = client.get("/refunds/?order=O-FORM&sku=LEAN").content.decode()

    assert 'value="LEAN" id="id_products_1" checked' in page or 'value="LEAN" checked' in page
    assert 'value="SLIM" id="id_products_0" checked' not in page


def test_a_dropship_order_shows_its_total_first_then_confirms_by_email_and_opens_the_order(client, ann):
    slim, _ = products()
    client.force_login(ann.user)
    form = client.get("/account/dropship/")
    assert 'data-testid="dropship-total"' in form.content.decode()
    data = {
        "product": slim.pk,
        "qty": 2,
        "ship_to_name": "Dana Friend",
        "ship_to_street": "9 Elm St",
        "ship_to_city": "Tempe",
        "ship_to_region": "AZ",
        "ship_to_postal_code": "85281",
        "ship_to_country": "US",
        "submission_key": form.context["form"].initial["submission_key"],
    }

    response = client.post("/account/dropship/", data)

    order = ann.orders.get(ship_to_name="Dana Friend")
    assert response["Location"] == f"/orders/{order.ref}/"
    email = EmailOutbox.objects.get(event="accounts_order_confirmation")
    assert (email.context["total"], email.context["ship_to"]) == ("187.85", "Dana Friend")
