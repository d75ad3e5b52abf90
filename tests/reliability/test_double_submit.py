"""Double submit of a request: two identical POSTs in a row, or at the same moment, file one record."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from plexus_office import clock
from refunds.models import Refund
from tests.refunds.conftest import TODAY

pytestmark = pytest.mark.usefixtures("refunds_today")

REFUND_BODY = {"order": "O-1", "skus": ["SLIM"], "reason": "money_back"}


@pytest.mark.django_db
def test_a_refund_request_form_submitted_twice_files_one_refund(member, order, slim):
    browser = Client()
    browser.force_login(member.user)
    form = {
        "order": order.ref,
        "products": ["SLIM"],
        "reason": "money_back",
        "return_method": "prepaid_label",
        "action": "submit",
    }

    first = browser.post("/refunds/", form)
    second = browser.post("/refunds/", form)

    assert (first.status_code, second.status_code) == (302, 400)
    assert Refund.objects.filter(account=member, order=order).count() == 1


@pytest.mark.django_db
def test_a_refund_request_api_call_repeated_files_one_refund(member, order, slim):
    api = APIClient()
    api.force_login(member.user)

    first = api.post("/api/v1/refunds/", {**REFUND_BODY, "order": order.ref}, format="json")
    second = api.post("/api/v1/refunds/", {**REFUND_BODY, "order": order.ref}, format="json")

    assert (first.status_code, second.status_code) == (201, 400)
    assert Refund.objects.filter(account=member, order=order).count() == 1


@pytest.mark.postgres
def test_two_concurrent_refund_request_api_calls_file_one_refund(transactional_db, member, order, slim):
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    bodies: list[str] = []

    def submit() -> None:
        try:
            api = APIClient(raise_request_exception=False)
            api.force_login(member.user)
            barrier.wait(timeout=10)
            with clock.frozen_at(TODAY):  # the business clock is per thread
                response = api.post("/api/v1/refunds/", {**REFUND_BODY, "order": order.ref}, format="json")
            statuses.append(response.status_code)
            bodies.append(response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [201, 400], bodies
    assert Refund.objects.filter(account=member, order=order).count() == 1
