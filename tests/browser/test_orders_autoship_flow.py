"""Browser: My orders → an order → a refund from one line; Autoship with live PV; a declined
subscription charge (email, flag) fixed with a new card, which charges at once and only once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from accounts.models import Subscription
from accounts.models_billing import SubscriptionCharge
from accounts.subscriptions.charging import subscription_charges_run
from plexus_office import clock
from plexus_office.platform.gateway import get_gateway
from plexus_office.platform.models import EmailOutbox, SandboxCharge
from refunds.models import Refund
from tests.accounts.billing_builders import DECLINES, products, subscriber
from tests.factories import OrderFactory, OrderLineFactory

SHOTS = Path(settings.BASE_DIR) / "test-results" / "browser"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def corporate(transactional_db):
    ContentType.objects.clear_cache()  # a flushed database gives content types new ids


def test_order_list_then_detail_then_a_refund_of_one_line(page, live_server, login, corporate):
    member = subscriber(6001, username="olga", next_charge_on=None)
    slim, lean = products()
    token = member.cards.get().token
    order = OrderFactory(
        ref="O-6001",
        account=member,
        ordered_on=clock.today(),
        card=member.cards.get(),
        charge_id=get_gateway().charge(token=token, amount=Decimal("147.85"), idempotency_key="o6001").id,
    )
    OrderLineFactory(order=order, product=slim)
    OrderLineFactory(order=order, product=lean)
    login("olga")

    page.click("text=My orders")
    assert page.inner_text("tr[data-order=O-6001] [data-testid=order-status]").startswith("Paid")
    page.click("text=O-6001")
    _shot(page, "order_detail")
    assert "147.85" in page.inner_text("[data-testid=order-lines]")
    page.click("tr[data-sku=LEAN] >> text=Request a refund")
    assert page.is_checked("input[name=products][value=LEAN]")
    assert not page.is_checked("input[name=products][value=SLIM]")
    page.check("input[name=reason][value=money_back]")
    page.click("button[value=submit]")
    page.wait_for_load_state("networkidle")
    refund = Refund.objects.get()
    assert (refund.order_id, [line.product.sku for line in refund.lines.all()]) == (order.pk, ["LEAN"])
    page.goto(f"{live_server.url}/orders/O-6001/")
    assert f"Refund #{refund.pk}: Requested" in page.inner_text("tr[data-sku=LEAN]")


def test_autoship_shows_the_pv_total_and_its_meaning_while_editing(page, live_server, login, corporate):
    member = subscriber(6002, username="pia")
    slim, lean = products()
    login("pia")

    page.click("text=Autoship")
    assert page.inner_text("[data-testid=pv-total]") == "105"
    page.fill(f"#qty_{lean.pk}", "0")
    assert page.inner_text("[data-testid=pv-total]") == "60"  # before any save
    assert "Under 100 PV" in page.inner_text("[data-testid=leads-rule]")
    assert "no threshold reached" in page.inner_text("[data-testid=perks]")
    page.fill(f"#qty_{slim.pk}", "4")
    assert page.inner_text("[data-testid=pv-total]") == "240"
    assert page.inner_text("[data-testid=price-total]") == "359.80"
    assert "200 PV threshold is reached (25.00" in page.inner_text("[data-testid=perks]")
    _shot(page, "autoship_live_pv")
    page.click("text=Save products")
    page.wait_for_load_state("networkidle")
    assert "products were saved" in page.inner_text(".messages")
    assert Subscription.objects.get(account=member).pv == 240
    assert EmailOutbox.objects.filter(event="accounts_autoship_changed").count() == 1


def test_a_declined_charge_is_emailed_and_flagged_and_a_new_card_charges_once(
    page, live_server, login, corporate
):
    member = subscriber(6003, username="quin", card_number=DECLINES, next_charge_on=clock.today())
    assert subscription_charges_run() == {"scheduled": 1, "declined": 1}
    email = EmailOutbox.objects.get(event="accounts_subscription_declined")
    assert "/account/cards/" in email.context["_link"]
    login("quin")

    flag = page.locator("text=Add or choose a working card: we charge it at once")
    assert flag.count() == 1
    _shot(page, "declined_flag")
    flag.click()
    page.fill("input[name=number]", "4242424242424242")
    page.select_option("select[name=exp_month]", "11")
    page.fill("input[name=exp_year]", "2031")
    page.fill("input[name=cvv]", "123")
    page.fill("input[name=holder_name]", "Quin")
    page.fill("input[name=postal_code]", "85251")
    page.click("text=Add card")
    page.wait_for_load_state("networkidle")

    charge = SubscriptionCharge.objects.get()
    assert (charge.status, charge.attempts) == ("paid", 2)
    assert SandboxCharge.objects.count() == 1
    page.goto(f"{live_server.url}/")
    assert page.locator("text=Add or choose a working card: we charge it at once").count() == 0
    page.goto(f"{live_server.url}/orders/")
    assert page.locator(f"tr[data-order=S-6003-{clock.today():%Y%m}]").count() == 1
    subscription_charges_run()  # the retry day comes: nothing left to charge
    assert SandboxCharge.objects.count() == 1
    assert member.orders.count() == 1
