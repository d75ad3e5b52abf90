"""Query counts of the member pages people wait on (figures per page in bench/README.md)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plexus_office import clock
from tests.factories import UserFactory
from tests.leads.builders import lead, qualified_sponsor


def _login(client, account) -> None:
    user = UserFactory()
    account.user = user
    account.save(update_fields=["user"])
    client.force_login(user)


def _count(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db
def test_the_dashboard_of_a_qualified_sponsor_runs_a_fixed_number_of_queries(client):
    with clock.frozen_at(date(2026, 3, 10)):
        sponsor = qualified_sponsor(1001)
        _login(client, sponsor)
        count, sql = _count(client, "/")
    # session, user, account (member_view), subscription (shown and used by commission
    # qualification; was read twice), flags (no join to accounts any more), inbox page, unread count
    # (was counted twice; issue #12's request-scoped lookup serves its account), Leads panel: corrections,
    # verdict (one plain-SQL query, no ORM compilation), recent placements; clearing panel: requests;
    # refunds panel: open refunds; dropship: one EXISTS.
    assert count == 13, "\n".join(sql)


@pytest.mark.django_db
def test_the_dashboard_of_a_lead_runs_a_fixed_number_of_queries(client):
    with clock.frozen_at(date(2026, 3, 10)):
        account = lead(50001, listed=date(2026, 2, 1))
        _login(client, account)
        count, sql = _count(client, "/")
    # session, user, account, subscription, flags, inbox page, unread count,
    # corrections (a customer has no verdict and no placements), refunds panel.
    assert count == 9, "\n".join(sql)
