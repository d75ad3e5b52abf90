"""One request-scoped lookup of the signed-in member: pages, navigation and inbox badge share it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_today")]


def _account_lookups(queries) -> int:
    return sum(1 for q in queries if 'FROM "accounts_account"' in q["sql"] and '"user_id" =' in q["sql"])


@pytest.mark.parametrize("url", ["dashboard", "account_personal", "account_cards", "leads:correction"])
def test_a_member_page_looks_the_member_up_once(client, member, url):
    client.force_login(member.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(url))
    assert response.status_code == 200
    assert _account_lookups(queries.captured_queries) == 1


def test_the_dashboard_runs_a_fixed_number_of_queries(client, member, django_assert_num_queries):
    client.force_login(member.user)
    # session, user, the member account (once: view, navigation and inbox badge share it; was three),
    # subscription + card (once, shared by the dashboard and its card reminder), open flags, latest
    # inbox entries, unread count (once, shared by the page and the badge), sponsor corrections, the
    # Leads verdict (one plain-SQL query), recent placements, clear requests, refunds, direct sales
    with django_assert_num_queries(13):
        client.get(reverse("dashboard"))
