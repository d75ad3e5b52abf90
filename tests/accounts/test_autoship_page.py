"""The Autoship page and API: products and PV, charge day, skip, pause, resume, cancel; audited, emailed."""

from __future__ import annotations

from datetime import date

import pytest
from auditlog.models import LogEntry

from accounts.models import Subscription
from accounts.models_billing import SubscriptionItem
from plexus_office import clock
from plexus_office.platform.models import EmailOutbox
from tests.accounts.billing_builders import products, subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(date(2026, 3, 10)):
        yield


@pytest.fixture
def ann(db, client):
    account = subscriber(5001, username="ann", next_charge_on=date(2026, 3, 20), charge_day=20)
    client.force_login(account.user)
    return account


def test_changing_products_recomputes_pv_audits_and_emails(client, ann):
    slim, lean = products()

    response = client.post("/autoship/", {"action": "items", f"qty_{slim.pk}": "2", f"qty_{lean.pk}": "0"})

    assert response.status_code == 302
    subscription = Subscription.objects.get(account=ann)
    assert subscription.pv == 120
    assert list(
        SubscriptionItem.objects.filter(subscription=subscription).values_list("product__sku", "qty")
    ) == [("SLIM", 2)]
    assert LogEntry.objects.filter(additional_data__action="subscription_items_set").count() == 1
    email = EmailOutbox.objects.get(event="accounts_autoship_changed")
    assert "2 × SLIM (120 PV)" in email.body_text


def test_a_bad_quantity_is_refused_and_changes_nothing(client, ann):
    slim, lean = products()

    response = client.post(
        "/autoship/", {"action": "items", f"qty_{slim.pk}": "11", f"qty_{lean.pk}": "1"}, follow=True
    )

    assert "choose 0 to 10" in response.content.decode()
    assert Subscription.objects.get(account=ann).pv == 105
    assert EmailOutbox.objects.count() == 0


def test_the_page_says_what_the_pv_means(client, ann):
    page = client.get("/autoship/").content.decode()

    assert "meets the Leads program" in page  # 105 PV
    assert "the 100 PV threshold is reached (10.00 perk credit a month)" in page


def test_charge_day_skip_pause_resume_and_cancel(client, ann):
    client.post("/autoship/", {"action": "charge_day", "charge_day": "5"})
    assert Subscription.objects.get(account=ann).next_charge_on == date(2026, 4, 5)

    client.post("/autoship/", {"action": "skip"})
    sub = Subscription.objects.get(account=ann)
    assert (sub.skipped_charge_on, sub.next_charge_on) == (date(2026, 4, 5), date(2026, 5, 5))

    client.post("/autoship/", {"action": "pause"})
    assert Subscription.objects.get(account=ann).status == "paused"

    client.post("/autoship/", {"action": "resume"})
    sub = Subscription.objects.get(account=ann)
    assert (sub.status, sub.next_charge_on) == ("active", date(2026, 4, 5))

    client.post("/autoship/", {"action": "cancel"})  # not confirmed
    assert Subscription.objects.get(account=ann).status == "active"
    client.post("/autoship/", {"action": "cancel", "confirm": "yes"})
    sub = Subscription.objects.get(account=ann)
    assert (sub.status, sub.ended_on, sub.next_charge_on) == ("cancelled", date(2026, 3, 10), None)
    assert EmailOutbox.objects.filter(event="accounts_autoship_changed").count() == 5


def test_the_api_changes_the_subscription_and_refuses_bad_input(client, ann):
    slim, _ = products()

    ok = client.patch(
        "/api/v1/subscription/",
        {"items": {str(slim.pk): 3}, "charge_day": 12},
        content_type="application/json",
    )
    bad = client.patch("/api/v1/subscription/", {"charge_day": 29}, content_type="application/json")
    empty = client.patch(
        "/api/v1/subscription/", {"items": {str(slim.pk): 0}}, content_type="application/json"
    )
    paused = client.post("/api/v1/subscription/pause/")

    assert ok.status_code == 200
    assert (ok.json()["meaning"]["pv"], ok.json()["charge_day"], ok.json()["next_charge_on"]) == (
        180,
        12,
        "2026-03-12",
    )
    assert bad.status_code == 400 and "charge_day" in bad.json()
    assert empty.status_code == 400 and empty.json()["code"] == "no_items"
    assert paused.json()["status"] == "paused"
    assert Subscription.objects.get(account=ann).pv == 180
