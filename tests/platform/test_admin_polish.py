"""Admin polish: queues open on their open items, transition pages say what they do, buttons read as
sentences, facts read as text, and the member site has its own 404 page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from clearing.models import ClearRequest
from plexus_office.platform.admin_polish import readable_facts
from tests.security.conftest import company, frozen_today  # noqa: F401

pytestmark = pytest.mark.django_db


def cs_client(company) -> Client:  # noqa: F811
    client = Client()
    client.force_login(company.users["customer_service"])
    return client


def test_a_queue_lists_its_open_items_by_default_and_all_on_request(company):  # noqa: F811
    ClearRequest.objects.filter(pk=company.clear_request.pk).update(status="rejected")
    client = cs_client(company)
    url = reverse("admin:clearing_clearrequest_changelist")

    default = client.get(url)
    everything = client.get(url + "?status__exact=all")

    assert list(default.context["cl"].result_list) == []
    assert [r.pk for r in everything.context["cl"].result_list] == [company.clear_request.pk]
    assert "Open (needs action)" in default.content.decode()


def test_the_transition_page_says_what_the_transition_does(company):  # noqa: F811
    url = reverse("admin:clearing_clearrequest_transition", args=[company.clear_request.pk, "reject"])

    page = cs_client(company).get(url).content.decode()

    assert "<p>None</p>" not in page
    assert 'class="transition-help"' in page
    assert "<h1>Reject:" in page


def test_transition_buttons_are_capitalised_sentences(company):  # noqa: F811
    url = reverse("admin:clearing_clearrequest_change", args=[company.clear_request.pk])

    page = cs_client(company).get(url).content.decode()

    labels = re.findall(r'name="_fsm_transition_to"\s+value="\w+"[^>]*>\s*([^<]+?)\s*</button>', page)
    assert labels == ["Clear the member", "Reject"]


def test_facts_read_as_labelled_text():
    html = readable_facts({"title_rank": "Senior Ruby", "qualified": True, "paid_ranks": {"2026-01": None}})

    assert "<strong>Title rank:</strong> Senior Ruby" in html
    assert "<strong>Qualified:</strong> yes" in html
    assert "<strong>2026-01:</strong> —" in html
    assert "{" not in html


def test_the_member_site_answers_a_missing_page_with_its_own_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode()
