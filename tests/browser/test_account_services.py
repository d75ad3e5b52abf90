"""Account Services in a real browser (Playwright + Debian Chromium against live_server)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from accounts.flags import flags_refresh
from accounts.models import Account, SavedCard, Subscription
from plexus_office.platform.models import EmailOutbox
from tests.factories import AmbassadorFactory, SavedCardFactory, SubscriptionFactory, UserFactory

ADDRESS = {
    "mailing_street": "1 Main St",
    "mailing_city": "Scottsdale",
    "mailing_region": "AZ",
    "mailing_postal_code": "85251",
    "mailing_country": "US",
}


@pytest.fixture
def ann(transactional_db):
    user = UserFactory(username="ann")
    return AmbassadorFactory(
        user=user,
        name="Ann Example",
        email="ann@example.com",
        info_reviewed_at=timezone.now(),
        **ADDRESS,
        **{k.replace("mailing_", "shipping_"): v for k, v in ADDRESS.items()},
    )


def test_log_in_and_see_the_virtual_office(page, live_server, login, ann):
    login("ann")
    assert page.locator("h1").inner_text() == "Welcome back, Ann Example"
    assert page.get_by_test_id("account-number").inner_text() == str(ann.number)
    assert page.get_by_test_id("inbox-unread").inner_text() == "0"


def test_edit_personal_information(page, live_server, login, ann):
    login("ann")
    page.click("text=Personal Information")
    page.fill("input[name=phone]", "(480) 555-0142")
    page.fill("input[name=mailing_unit]", "Apt 9")
    page.check("input[name=shipping_same_as_mailing]")
    page.click("text=Save personal information")
    assert "Your personal information was saved." in page.locator(".messages").inner_text()
    ann.refresh_from_db()
    assert (ann.phone, ann.shipping_unit) == ("+14805550142", "Apt 9")


def test_bad_zip_shows_the_field_error(page, live_server, login, ann):
    login("ann")
    page.goto(f"{live_server.url}/account/personal/")
    page.fill("input[name=mailing_postal_code]", "85")
    page.click("text=Save personal information")
    assert "Enter a 5-digit ZIP code" in page.locator(".field.has-error").first.inner_text()


def test_change_email_through_the_link(page, live_server, login, ann):
    login("ann")
    page.goto(f"{live_server.url}/account/personal/")
    page.fill("input[name=new_email]", "ann.new@example.com")
    page.click("text=Send confirmation link")
    assert "ann.new@example.com" in page.get_by_test_id("pending-email").inner_text()
    body = EmailOutbox.objects.get(event="accounts_email_confirm").body_text
    path = re.search(r"(/account/email/confirm/[^/\s]+/)", body).group(1)
    page.goto(f"{live_server.url}{path}")
    page.click("text=Confirm my new email address")
    assert page.get_by_test_id("current-email").inner_text() == "ann.new@example.com"


def test_add_card_set_default_and_try_removing_the_subscription_card(page, live_server, login, ann):
    old = SavedCardFactory(account=ann, is_default=True, last4="1111", token="tok_old_card")
    SubscriptionFactory(account=ann, card=old)
    login("ann")
    page.click("text=Manage Cards")
    page.fill("input[name=number]", "4242 4242 4242 4242")
    page.select_option("select[name=exp_month]", "11")
    page.fill("input[name=exp_year]", "2031")
    page.fill("input[name=cvv]", "123")
    page.fill("input[name=holder_name]", "Ann Example")
    page.fill("input[name=postal_code]", "85251")
    page.click("button:text('Add card')")
    assert "Card Visa ending 4242 was added." in page.locator(".messages").inner_text()
    page.locator("tr[data-card='4242'] button:text('Make default')").click()
    assert "Default" in page.locator("tr[data-card='4242']").inner_text()
    page.locator("tr[data-card='1111'] button:text('Remove')").click()
    assert "pays your subscription" in page.locator(".messages").inner_text()
    page.get_by_test_id("replace-offer").locator("button").click()
    page.locator("tr[data-card='1111'] button:text('Remove')").click()
    assert "The card was removed." in page.locator(".messages").inner_text()
    assert Subscription.objects.get(account=ann).card.last4 == "4242"
    assert SavedCard.objects.filter(account=ann, removed_at__isnull=True).count() == 1


def test_sign_up_for_the_newsletter(page, live_server, login, ann):
    login("ann")
    page.click("text=Email Newsletter Signup")
    page.check("input[name=opt_in]")
    page.click("text=Save my choice")
    assert page.get_by_test_id("newsletter-status").inner_text() == "signed up"
    assert Account.objects.get(pk=ann.pk).newsletter_consent_at is not None


def test_see_a_flag_and_fix_it(page, live_server, login, ann):
    Account.objects.filter(pk=ann.pk).update(shipping_city="")
    flags_refresh(account=ann)
    login("ann")
    flag = page.locator("[data-flag=shipping_incomplete]")
    assert "Shipping address incomplete" in flag.inner_text()
    flag.locator("a").click()
    page.fill("input[name=shipping_city]", "Tempe")
    page.click("text=Save personal information")
    page.click("text=Virtual Office")
    assert page.get_by_test_id("no-flags").is_visible()
