"""Made-up URLs and bodies get a 4xx and change nothing (each was a 500)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from leads.models import LeadRun
from leads.services import leads_assign, placement
from refunds.models import Refund
from refunds.services import RefundRefused, refund_mark_shipped
from tests.factories import AmbassadorFactory, UserFactory, VipCustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    account = AmbassadorFactory(user=UserFactory(username="hostile"))
    client.force_login(account.user)
    return account


def test_an_absurd_inbox_page_number_is_a_400(client, member):
    response = client.get(reverse("account_inbox"), {"page": "999999999999999999"})

    assert (response.status_code, response.content) == (400, b"page: at most 10,000.")


def test_a_json_body_nested_100000_levels_is_a_400_on_an_api_write(client, member):
    body = "[" * 100_000 + "]" * 100_000

    response = client.post(reverse("api_me_email"), body, content_type="application/json")

    assert response.status_code == 400
    assert "nested deeper than 32 levels" in response.json()["detail"]


def test_a_json_body_nested_40_levels_is_a_400_too(client, member):
    body = json.dumps({"email": json.loads("[" * 40 + "]" * 40)})

    response = client.post(reverse("api_me_email"), body, content_type="application/json")

    assert response.status_code == 400


def test_a_thirty_digit_downline_search_is_a_name_search_not_a_crash(client, member):
    response = client.get(reverse("clearing:home"), {"q": "1" * 30})

    assert response.status_code in (200, 400)


def test_a_unicode_digit_downline_search_is_not_a_crash(client, member):
    assert client.get(reverse("clearing:home"), {"q": "²³"}).status_code in (200, 400)


def test_a_crashed_dry_run_is_recorded_as_finished_with_its_error(monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("planner crashed")

    monkeypatch.setattr(placement, "build_plan", boom)

    with pytest.raises(RuntimeError):
        leads_assign(actor=None, dry_run=True)

    run = LeadRun.objects.get()
    assert (run.dry_run, run.finished_at is not None, run.error) == (
        True,
        True,
        "RuntimeError: planner crashed",
    )


def test_a_nul_character_in_the_tracking_number_is_refused_naming_the_field():
    with pytest.raises(RefundRefused) as refused:
        refund_mark_shipped(refund=Refund(pk=1), actor=None, tracking_number="1Z999\x00AA")

    assert (refused.value.field, refused.value.message) == (
        "tracking_number",
        "letters, digits and punctuation only (no control characters)",
    )


def test_the_clearing_api_answers_an_unknown_number_like_one_outside_the_downline(client, member):
    outsider = VipCustomerFactory(number=4242)
    unknown = client.post(reverse("clearing-api-list"), {"member": 999_999}, content_type="application/json")
    outside = client.post(reverse("clearing-api-list"), {"member": 4242}, content_type="application/json")

    assert unknown.status_code == outside.status_code == 400
    assert unknown.json()["code"] == outside.json()["code"] == "not_in_downline"
    assert unknown.json()["detail"].replace("999999", "N") == outside.json()["detail"].replace(
        str(outsider.number), "N"
    )
