"""The refund queue in admin for returns of several products: receipt per line, Customer Service's
member → order → products form, and the Finance due date."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from plexus_office import clock
from refunds.models import Refund, RefundStatus
from refunds.services import refund_authorize, refund_receive, refund_request
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_products(member, slim):
    active = ProductFactory(sku="ACTIVE", name="Active", price=Decimal("49.95"), pv=35)
    order = OrderFactory(ref="O-2", account=member, ordered_on=date(2026, 2, 1), country="US")
    OrderLineFactory(order=order, product=slim, qty=1, unit_price=Decimal("89.95"), pv=60)
    OrderLineFactory(order=order, product=active, qty=1, unit_price=Decimal("49.95"), pv=35)
    return order, slim, active


def test_returns_marks_a_product_missing_on_the_receive_form(
    client, member, two_products, cs_user, returns_user
):
    order, slim, active = two_products
    refund = refund_request(
        account=member, order=order, products=[slim, active], reason="money_back", actor=member.user
    )
    refund = refund_authorize(refund=refund, actor=cs_user)
    client.force_login(returns_user)
    url = f"/admin/refunds/refund/{refund.pk}/transition/receive/"
    assert "Active (ACTIVE) × 1" in client.get(url).content.decode()

    client.post(url, {"ra_number": refund.ra_number, "missing": [str(active.pk)], "description": ""})

    refund.refresh_from_db()
    assert (refund.status, refund.amount, refund.deduction) == (
        RefundStatus.RECEIVED,
        Decimal("83.95"),
        Decimal("6.00"),
    )
    assert list(refund.lines.values_list("product__sku", "received")) == [("SLIM", True), ("ACTIVE", False)]


def test_customer_service_sees_the_quote_before_filing_and_files_one_return(
    client, member, two_products, cs_user
):
    order, slim, active = two_products
    client.force_login(cs_user)
    url = "/admin/refunds/refund/request-for-member/"
    form = {"account": "3001", "order": "O-2", "products": ["SLIM", "ACTIVE"], "reason": "money_back"}
    form["return_method"] = "prepaid_label"

    preview = client.post(url, {**form, "action": "preview"})

    assert "133.90" in preview.content.decode()  # 139.90 paid, less 6.00 once
    assert Refund.objects.count() == 0
    client.post(url, {**form, "action": "submit"})
    refund = Refund.objects.get()
    assert (refund.channel, refund.amount, refund.skus) == (
        "customer_service",
        Decimal("133.90"),
        "SLIM, ACTIVE",
    )


def test_customer_service_is_told_an_order_has_no_original_payment(client, member, two_products, cs_user):
    order, slim, active = two_products
    order.charge_id = ""
    order.save(update_fields=["charge_id"])
    client.force_login(cs_user)

    response = client.post(
        "/admin/refunds/refund/request-for-member/",
        {
            "account": "3001",
            "order": "O-2",
            "products": ["SLIM"],
            "reason": "money_back",
            "return_method": "prepaid_label",
            "action": "submit",
        },
    )

    assert response.status_code == 400
    assert "no original payment on file" in response.content.decode()
    assert Refund.objects.count() == 0


def test_the_member_search_finds_by_number_email_or_name_start(client, member, cs_user):
    client.force_login(cs_user)
    url = "/admin/refunds/refund/request-for-member/"
    for term in ("3001", member.email.upper(), "Vera"):
        assert client.get(url, {"member": term}).context["account"] == member


def test_other_staff_cannot_open_the_refund_for_a_member_form(client, returns_user):
    client.force_login(returns_user)
    assert client.get("/admin/refunds/refund/request-for-member/").status_code == 302


def test_the_finance_queue_filters_payouts_overdue_after_five_business_days(
    client, member, two_products, cs_user, returns_user, finance_user
):
    order, slim, active = two_products
    refund = refund_authorize(
        refund=refund_request(
            account=member, order=order, products=[slim], reason="money_back", actor=member.user
        ),
        actor=cs_user,
    )
    refund_receive(refund=refund, actor=returns_user, ra_number=refund.ra_number)  # Tue 2026-03-10: due 03-17
    client.force_login(finance_user)
    with clock.frozen_at(date(2026, 3, 17)):
        on_time = client.get("/admin/refunds/refund/", {"due": "overdue"}).context["cl"].result_list
    with clock.frozen_at(date(2026, 3, 18)):
        late = client.get("/admin/refunds/refund/", {"due": "overdue"}).context["cl"].result_list
    assert ([r.pk for r in on_time], [r.pk for r in late]) == ([], [refund.pk])


@pytest.fixture
def two_refunds(member, two_products, cs_user):
    order, slim, active = two_products
    first = refund_request(
        account=member, order=order, products=[slim], reason="money_back", actor=member.user
    )
    second = refund_request(
        account=member, order=order, products=[active], reason="money_back", actor=member.user
    )
    return refund_authorize(refund=first, actor=cs_user), second


def _listed(client, term):
    body = client.get("/admin/refunds/refund/", {"q": term}).content.decode()
    return sorted(int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', body))


@pytest.mark.parametrize("by", ["account number", "order ref", "RA number", "product SKU"])
def test_refund_admin_search_finds_by_each_exact_key(client, cs_user, two_refunds, by):
    first, second = two_refunds
    client.force_login(cs_user)
    term, expected = {
        "account number": ("3001", [first.pk, second.pk]),
        "order ref": ("O-2", [first.pk, second.pk]),
        "RA number": (first.ra_number, [first.pk]),
        "product SKU": ("ACTIVE", [second.pk]),
    }[by]
    assert _listed(client, term) == expected


def test_refund_admin_search_without_a_match_lists_nothing(client, cs_user, two_refunds):
    client.force_login(cs_user)
    assert _listed(client, "999999") == []
