"""The self-service API: quote, file, list own; another member's order is not disclosed."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from refunds.models import Refund
from tests.factories import UserFactory, VipCustomerFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_quote_then_request_then_list(member, order, slim):
    api = client_for(member.user)
    body = {"order": "O-1", "skus": ["SLIM"], "reason": "money_back"}
    quote = api.post("/api/v1/refunds/quote/", body, format="json").json()
    assert (quote["eligible"], quote["amount"], quote["deduction"], quote["return_deadline"]) == (
        True,
        "83.95",
        "6.00",
        "2026-03-20",
    )
    made = api.post("/api/v1/refunds/", body, format="json")
    assert made.status_code == 201
    listed = api.get("/api/v1/refunds/").json()["results"]
    assert [(r["order"], r["lines"][0]["sku"], r["status"], r["amount"]) for r in listed] == [
        ("O-1", "SLIM", "requested", "83.95")
    ]


def test_a_second_request_is_refused_with_the_code(member, order, slim):
    api = client_for(member.user)
    body = {"order": "O-1", "skus": ["SLIM"], "reason": "money_back"}
    api.post("/api/v1/refunds/", body, format="json")
    again = api.post("/api/v1/refunds/", body, format="json")
    assert (again.status_code, again.json()["code"]) == (400, "already_refunded")
    assert Refund.objects.count() == 1


def test_another_member_cannot_quote_or_see_my_order(member, order, slim):
    other = VipCustomerFactory(number=3999, user=UserFactory(username="other"))
    api = client_for(other.user)
    refused = api.post(
        "/api/v1/refunds/", {"order": "O-1", "skus": ["SLIM"], "reason": "money_back"}, format="json"
    )
    assert (refused.status_code, refused.json()["field"]) == (400, "order")
    assert api.get("/api/v1/refunds/").json()["results"] == []
    assert Refund.objects.count() == 0
