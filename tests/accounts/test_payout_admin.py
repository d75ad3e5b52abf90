"""Finance runs a period's payout from admin: preview with totals and carried negatives, then commit once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from accounts.models import CommissionEntry
from accounts.models_billing import PayRun
from plexus_office import clock
from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE
from tests.factories import AmbassadorFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/admin/accounts/payrun/payout/"


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(date(2026, 4, 6)):
        yield


def _staff(group: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def ledger(db):
    earner = AmbassadorFactory(number=8001, name="Erin Earner")
    owed = AmbassadorFactory(number=8002, name="Owen Owes")
    CommissionEntry.objects.create(
        earner=earner,
        kind="commission",
        amount=Decimal("40.00"),
        order=OrderFactory(ref="O-1"),
        earned_on=date(2026, 3, 2),
    )
    CommissionEntry.objects.create(
        earner=owed,
        kind="adjustment",
        amount=Decimal("-25.00"),
        order=OrderFactory(ref="O-2"),
        earned_on=date(2026, 3, 3),
    )
    return earner, owed


def test_finance_previews_then_commits_and_a_second_commit_is_refused(client, ledger):
    client.force_login(_staff(FINANCE, "fin"))

    preview = client.get(URL, {"period": "2026-03"}).content.decode()
    assert PayRun.objects.count() == 0
    assert "40.00" in preview and "-25.00" in preview and "#8002 Owen Owes" in preview

    response = client.post(URL, {"period": "2026-03", "commit": "yes"})
    assert response.status_code == 302
    run = PayRun.objects.get()
    assert (run.net_paid, run.carried_forward, run.statements_count) == (
        Decimal("40.00"),
        Decimal("-25.00"),
        2,
    )

    again = client.post(URL, {"period": "2026-03", "commit": "yes"}, follow=True).content.decode()
    assert "already committed" in again
    assert PayRun.objects.count() == 1


def test_a_bad_period_is_named_and_nothing_is_written(client, ledger):
    client.force_login(_staff(FINANCE, "fin"))

    page = client.post(URL, {"period": "2026-3", "commit": "yes"}).content.decode()

    assert "Period: enter a month as YYYY-MM" in page
    assert PayRun.objects.count() == 0


def test_only_finance_runs_a_payout(client, ledger):
    client.force_login(_staff(CUSTOMER_SERVICE, "cs"))

    assert client.post(URL, {"period": "2026-03", "commit": "yes"}).status_code == 403
    assert PayRun.objects.count() == 0
