"""Numbers bigger than any database integer (found by schemathesis): a 400 naming the field, never a 500."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.security.conftest import Company

pytestmark = pytest.mark.django_db

HUGE = 707115422526070998433792  # > 2**63: overflows SQLite and PostgreSQL bigint


@pytest.fixture
def api(company: Company) -> APIClient:
    client = APIClient()
    client.force_authenticate(company.owner.user)
    return client


def test_marking_a_huge_notification_id_read_is_a_400_on_ids(api):
    response = api.post("/api/v1/notifications/read/", {"ids": [HUGE]}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["ids"]


def test_clearing_a_huge_member_number_is_a_400_on_member(api):
    response = api.post("/api/v1/clearing/", {"member": HUGE}, format="json")

    assert response.status_code == 400
    assert response.json()["field"] == "member"


@pytest.mark.parametrize("path", ["/api/v1/downline/", "/api/v1/notifications/"])
def test_a_huge_page_offset_is_a_400_on_offset(api, path):
    response = api.get(path, {"offset": HUGE})

    assert response.status_code == 400
    assert list(response.json()) == ["offset"]
