"""Admin: every accounts model listed and searchable, cards never show their token whole."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import Account, Order
from plexus_office.admin_paginator import EstimatedCountPaginator
from tests.factories import (
    AmbassadorFactory,
    OrderLineFactory,
    SavedCardFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "account",
    "sponsorship",
    "paidrank",
    "product",
    "order",
    "subscription",
    "membershipfeepayment",
    "savedcard",
    "commissionentry",
    "perkcredit",
]


@pytest.fixture
def admin_client_logged(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_changelist_opens_and_searches_by_account_number_name_and_email(admin_client_logged, model):
    member = AmbassadorFactory(number=424242, name="Greta Searchable", email="greta@example.com")
    SubscriptionFactory(account=member)
    OrderLineFactory(order__account=member)
    url = reverse(f"admin:accounts_{model}_changelist")

    for term in ("424242", "Searchable", "greta@example.com"):
        response = admin_client_logged.get(url, {"q": term})
        assert response.status_code == 200, (model, term)


def test_account_search_by_number_finds_exactly_that_account(admin_client_logged):
    AmbassadorFactory(number=5150, name="Exact Match")
    AmbassadorFactory(number=51500, name="Longer Number")

    response = admin_client_logged.get(reverse("admin:accounts_account_changelist"), {"q": "5150"})

    assert b"Exact Match" in response.content
    assert b"Longer Number" not in response.content


def test_account_change_page_shows_the_sponsorship_history(admin_client_logged):
    sponsor = AmbassadorFactory(name="Upline Person")
    member = AmbassadorFactory(sponsor=sponsor)

    response = admin_client_logged.get(reverse("admin:accounts_account_change", args=[member.pk]))

    assert response.status_code == 200
    assert b"Upline Person" in response.content


def test_card_admin_never_shows_the_whole_token(admin_client_logged):
    card = SavedCardFactory(token="tok_sandbox_abcdefghijklmnop1234")

    listing = admin_client_logged.get(reverse("admin:accounts_savedcard_changelist"))
    page = admin_client_logged.get(reverse("admin:accounts_savedcard_change", args=[card.pk]))

    for response in (listing, page):
        assert response.status_code == 200
        assert b"tok_sandbox_abcdefghijklmnop1234" not in response.content
    assert "tok_sand…1234" in listing.content.decode()


def test_big_changelists_do_not_count_the_whole_table(admin_client_logged):

    for model in (Account, Order):
        model_admin = admin.site._registry[model]
        assert model_admin.show_full_result_count is False
        assert model_admin.paginator is EstimatedCountPaginator
