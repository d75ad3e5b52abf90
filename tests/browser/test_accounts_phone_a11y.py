"""Account Services on a 390×844 phone in every language: the enrollment wizard (anonymous), an
ambassador's and a customer's pages, each as shown and after a failed submit. axe-core at 0 violations
of any impact, no horizontal scroll, stacked tables keep their column labels, tap targets of 44 px,
and focus on the error summary after a failed submit. Screenshots: test-results/phone/accounts-*.png.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from accounts.models import CommissionEntry, CommissionKind
from accounts.pay.services import pay_period_commit
from tests.accounts.billing_builders import gateway_card, products, subscriber
from tests.browser.test_phone_and_accessibility import LANGUAGES, PHONE, SHOTS, axe_violations
from tests.factories import AmbassadorFactory, OrderFactory, OrderLineFactory, UserFactory, VipCustomerFactory

pytestmark = pytest.mark.browser

SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, summary, input, select')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > 0)
  .filter(e => !e.closest('p, li:not(nav li), td > div.muted'))
  .filter(e => { const r = e.getBoundingClientRect(); return r.height < 44 && r.width > 0
             && !['checkbox', 'radio', 'hidden'].includes(e.type); })
  .map(e => e.outerHTML.slice(0, 80))"""
# A stacked table cell shows its column's name before its value (td[data-label]::before).
UNLABELLED_CELLS = """() => [...document.querySelectorAll('table.list tbody td')]
  .filter(td => td.textContent.trim() && !td.hasAttribute('colspan'))
  .filter(td => getComputedStyle(td, '::before').content.replace(/"/g, '').trim() === ''
             || getComputedStyle(td, '::before').content === 'none')
  .map(td => td.outerHTML.slice(0, 80))"""


def check_here(page, shot: str) -> list[str]:
    page.wait_for_load_state("networkidle")
    problems = [f"{shot}: {v}" for v in axe_violations(page)]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{shot}: horizontal scroll of {overflow}px")
    problems += [f"{shot}: tap target under 44px: {html}" for html in page.evaluate(SMALL_TARGETS)]
    problems += [
        f"{shot}: stacked cell without its label: {html}" for html in page.evaluate(UNLABELLED_CELLS)
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"accounts-{shot}.png"), full_page=True)
    return problems


def visit(page, url: str, shot: str) -> list[str]:
    page.goto(url)
    return check_here(page, shot)


def failed_submit(page, shot: str, button: str = "form.stacked [type=submit]") -> list[str]:
    """Submit the page's form as it is; the error summary must hold the focus afterwards."""
    page.locator(button).first.click()
    page.wait_for_load_state("networkidle")
    problems = check_here(page, shot)
    if not page.evaluate("document.activeElement.hasAttribute('data-error-summary')"):
        problems.append(f"{shot}: focus is not on the error summary")
    return problems


def _phone(page, live_server, language: str) -> None:
    page.set_viewport_size(PHONE)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )


@pytest.fixture
def ambassador(transactional_db):
    """A subscriber (card, subscription) with an order of two lines and a paid February statement."""
    account = subscriber(5001, username="ann", next_charge_on=date(2026, 12, 20), charge_day=20)
    slim, lean = products()
    order = OrderFactory(account=account, ref="O-9001", ordered_on=date(2026, 2, 2), charge_id="ch_9001")
    OrderLineFactory(order=order, product=slim)
    OrderLineFactory(order=order, product=lean)
    CommissionEntry.objects.create(
        earner=account,
        kind=CommissionKind.VIP_CUSTOMER_BONUS,
        amount=Decimal("1234.50"),
        order=order,
        status="unpaid",
        earned_on=date(2026, 2, 12),
    )
    run = pay_period_commit(period=date(2026, 2, 1), actor=None, source="test", today=date(2026, 3, 10))
    account.statement_pk = run.statements.get(earner=account).pk
    return account


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_enrollment_wizard_on_a_phone(page, live_server, transactional_db, language):
    slim, _ = products()
    AmbassadorFactory(number=1001, name="Sam Sponsor")
    _phone(page, live_server, language)
    problems = visit(page, f"{live_server.url}/join/", f"{language}-join-kind")
    problems += failed_submit(page, f"{language}-join-kind-error")
    page.locator("input[value=vip_customer]").check()
    page.locator("form.stacked [type=submit]").click()
    problems += check_here(page, f"{language}-join-sponsor")
    page.fill("input[name=sponsor_number]", "999")
    problems += failed_submit(page, f"{language}-join-sponsor-error", "button[value=lookup]")
    page.fill("input[name=sponsor_number]", "1001")
    page.locator("button[value=lookup]").click()
    page.wait_for_load_state("networkidle")
    page.locator("button[value=confirm]").click()
    problems += check_here(page, f"{language}-join-details")
    problems += failed_submit(page, f"{language}-join-details-error")
    for name, value in {
        "name": "Wendy Web",
        "email": "wendy@example.com",
        "password": "a-long-Secret-99",
        "mailing_street": "1 Main St",
        "mailing_city": "Scottsdale",
        "mailing_region": "AZ",
        "mailing_postal_code": "85251",
    }.items():
        page.fill(f"input[name={name}]", value)
    page.locator("form.stacked [type=submit]").click()
    problems += check_here(page, f"{language}-join-products")
    page.fill(f"input[name=qty_{slim.pk}]", "99")
    problems += failed_submit(page, f"{language}-join-products-error")
    page.fill(f"input[name=qty_{slim.pk}]", "1")
    page.locator("form.stacked [type=submit]").click()
    problems += check_here(page, f"{language}-join-card")
    page.fill("input[name=number]", "1234")
    problems += failed_submit(page, f"{language}-join-card-error")
    for name, value in {"number": "4242424242424242", "cvv": "123", "holder_name": "Wendy Web"}.items():
        page.fill(f"input[name={name}]", value)
    page.fill("input[name=exp_year]", "2031")
    page.locator("form.stacked [type=submit]").click()
    problems += check_here(page, f"{language}-join-review")
    assert problems == [], json.dumps(problems, indent=1, ensure_ascii=False)


AMBASSADOR_PAGES = {
    "orders": "/orders/",
    "order": "/orders/O-9001/",
    "autoship": "/autoship/",
    "pay": "/pay/",
    "membership": "/account/membership/",
    "personal": "/account/personal/",
    "cards": "/account/cards/",
    "newsletter": "/tools/library/newsletter/",
    "password": "/password/change/",
    "not-found": "/no-such-page/",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_ambassadors_pages_on_a_phone(page, live_server, login, ambassador, language):
    _phone(page, live_server, language)
    login("ann")
    problems = []
    for name, path in AMBASSADOR_PAGES.items():
        problems += visit(page, f"{live_server.url}{path}", f"{language}-{name}")
    problems += visit(page, f"{live_server.url}/pay/{ambassador.statement_pk}/", f"{language}-statement")
    for name, path, fill in [
        ("personal", "/account/personal/", {"mailing_postal_code": "ABC"}),
        ("dropship", "/account/dropship/", {}),
        ("cancel", "/account/cancel/", {}),
        ("password", "/password/change/", {"old_password": "wrong"}),
    ]:
        page.goto(f"{live_server.url}{path}")
        for field, value in fill.items():
            page.fill(f"input[name={field}]", value)
        problems += failed_submit(page, f"{language}-{name}-error")
    assert problems == [], json.dumps(problems, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_customers_pages_on_a_phone(page, live_server, login, transactional_db, language):
    vip = VipCustomerFactory(user=UserFactory(username="vera"), name="Vera Vip")
    gateway_card(vip)
    _phone(page, live_server, language)
    login("vera")
    problems = visit(page, f"{live_server.url}/", f"{language}-customer-dashboard")
    problems += visit(page, f"{live_server.url}/account/membership/", f"{language}-customer-membership")
    problems += visit(page, f"{live_server.url}/account/cards/", f"{language}-customer-cards")
    page.fill("input[name=number]", "1234")
    problems += failed_submit(page, f"{language}-customer-cards-error")
    assert problems == [], json.dumps(problems, indent=1, ensure_ascii=False)
