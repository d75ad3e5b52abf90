"""Public enrollment in a real browser: a VIP via a sponsor's link, an ambassador without a sponsor
placed by the Leads program 14 days later, and a declined card that creates nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Account, Order, SavedCard, Subscription
from plexus_office.platform.models import EmailOutbox, InboxEntry, SandboxCharge
from tests.factories import AmbassadorFactory, ProductFactory
from tests.leads.builders import qualified_sponsor

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "enrollment"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def catalog(transactional_db):
    return [
        ProductFactory(sku="SLIM", name="Slim Microbiome Activation", price=Decimal("89.95"), pv=60),
        ProductFactory(sku="LEAN", name="Lean", price=Decimal("49.95"), pv=35),
    ]


def fill_details(page, *, name: str, email: str) -> None:
    page.fill("input[name=name]", name)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "a-long-Secret-99")
    page.fill("input[name=phone]", "(480) 555-0123")
    page.fill("input[name=mailing_street]", "1 Main St")
    page.fill("input[name=mailing_city]", "Scottsdale")
    page.fill("input[name=mailing_region]", "AZ")
    page.fill("input[name=mailing_postal_code]", "85251")
    page.check("input[name=shipping_same_as_mailing]")
    page.click("button:has-text('Continue')")


def fill_card(page, number: str) -> None:
    page.fill("input[name=number]", number)
    page.select_option("select[name=exp_month]", "12")
    page.fill("input[name=exp_year]", str(timezone.localdate().year + 2))
    page.fill("input[name=cvv]", "123")
    page.click("button:has-text('Continue to review')")


def test_a_vip_enrolls_through_a_sponsors_link(page, live_server, catalog):
    ann = AmbassadorFactory(number=1001, name="Ann Leader", email="ann@example.com", mailing_city="Phoenix")

    page.goto(f"{live_server.url}/join/1001/")
    assert "Ann Leader, Phoenix" in page.get_by_test_id("sponsor-banner").inner_text()
    page.check("input[value=vip_customer]")
    page.click("button:has-text('Continue')")
    assert "Ann Leader" in page.get_by_test_id("sponsor-candidate").inner_text()
    page.click("button:has-text('Yes, this is my sponsor')")
    fill_details(page, name="Vera Vip", email="vera@example.com")
    page.fill(f"input[name=qty_{catalog[0].pk}]", "1")
    page.fill(f"input[name=qty_{catalog[1].pk}]", "2")
    assert page.get_by_test_id("live-total").inner_text() == "197.80"  # 89.95 + 2 x 49.95 + 7.95
    assert page.is_checked("input[name=subscribe]")
    shot(page, "vip-products")
    page.click("button:has-text('Continue')")
    fill_card(page, "4242424242424242")
    assert page.get_by_test_id("review-total").inner_text() == "197.80"
    assert "99.90" in page.inner_text("table")  # 2 x 49.95, exact
    shot(page, "vip-review")
    page.click("#enroll-submit")
    number = int(page.get_by_test_id("new-account-number").inner_text())
    shot(page, "vip-done")

    vera = Account.objects.get(number=number)
    assert (vera.kind, vera.sponsor_id, vera.listed_under_2_on, vera.user.username) == (
        "vip_customer",
        ann.pk,
        None,
        str(number),
    )
    assert Subscription.objects.get(account=vera).pv == 130
    assert Order.objects.get(account=vera).lines.count() == 2
    assert SandboxCharge.objects.get().amount == Decimal("197.80")
    assert (
        EmailOutbox.objects.filter(to_email="vera@example.com", event="accounts_enrollment_welcome").count()
        == 1
    )
    assert InboxEntry.objects.filter(account=ann, event="accounts_enrollment_sponsor").count() == 1
    page.reload()  # a reload of the done page shows the same account, creates nothing
    assert Account.objects.filter(email="vera@example.com").count() == 1


def test_an_ambassador_without_a_sponsor_is_placed_by_the_leads_program_14_days_later(
    page, live_server, catalog
):
    today = timezone.localdate()
    placed_on = today + timedelta(days=14)
    leader = qualified_sponsor(1001, as_of=placed_on, name="Lena Leader", email="lena@example.com")

    page.goto(f"{live_server.url}/join/")
    page.check("input[value=ambassador]")
    page.click("button:has-text('Continue')")
    page.click('button:has-text("I don\'t have a sponsor")')
    fill_details(page, name="Otto Orphan", email="otto@example.com")
    assert page.get_by_test_id("live-total").inner_text() == "49.00"  # the membership fee alone
    page.click("button:has-text('Continue')")
    fill_card(page, "5555555555554444")
    page.click("#enroll-submit")
    number = int(page.get_by_test_id("new-account-number").inner_text())
    otto = Account.objects.get(number=number)
    assert (otto.sponsor.number, otto.listed_under_2_on, otto.membership_fee_due_on.year) == (
        2,
        today,
        today.year + 1,
    )

    out = StringIO()
    call_command("assign_leads", "--as-of", (placed_on - timedelta(days=1)).isoformat(), "--json", stdout=out)
    assert '"not_due"' in out.getvalue()
    call_command("assign_leads", "--as-of", placed_on.isoformat(), "--json", stdout=StringIO())

    otto.refresh_from_db()
    assert otto.sponsor_id == leader.pk
    events = set(EmailOutbox.objects.values_list("to_email", "event"))
    assert ("otto@example.com", "leads_new_sponsor") in events
    assert ("lena@example.com", "leads_new_leads") in events


def test_a_declined_card_shows_on_the_card_field_and_creates_nothing(page, live_server, catalog):
    AmbassadorFactory(number=1001, name="Ann Leader", email="ann@example.com")
    accounts_before, users_before = Account.objects.count(), User.objects.count()

    page.goto(f"{live_server.url}/join/1001/")
    page.check("input[value=vip_customer]")
    page.click("button:has-text('Continue')")
    page.click("button:has-text('Yes, this is my sponsor')")
    fill_details(page, name="Dee Clined", email="dee@example.com")
    page.fill(f"input[name=qty_{catalog[0].pk}]", "1")
    page.click("button:has-text('Continue')")
    fill_card(page, "4000000000000341")  # tokenizes, every charge declined
    page.click("#enroll-submit")

    error = page.get_by_test_id("card-error").inner_text()
    assert "declined" in error and "4000000000000341" not in page.content()
    assert page.input_value("input[name=number]") == ""
    assert page.input_value("input[name=holder_name]") == "Dee Clined"  # what was typed is kept
    shot(page, "declined")
    assert (Account.objects.count(), User.objects.count()) == (accounts_before, users_before)
    assert (
        not Order.objects.exists() and not SandboxCharge.objects.exists() and not SavedCard.objects.exists()
    )
    assert not EmailOutbox.objects.filter(to_email="dee@example.com").exists()

    fill_card(page, "4242424242424242")  # another card: the enrollment goes through with what was kept
    page.click("#enroll-submit")
    assert Account.objects.get(number=int(page.get_by_test_id("new-account-number").inner_text())).email == (
        "dee@example.com"
    )
