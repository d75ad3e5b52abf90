"""Refunds member pages on a 390×844 phone in English, Spanish and Canadian French: axe-core finds 0
violations of any impact, nothing scrolls sideways, tap targets are 44 px, stacked tables keep their
column labels, and a failed submit moves focus to the error summary.

The checks are the platform's (``check_page``, ``axe_violations``); screenshots land in
test-results/phone/<lang>-refunds-<page>.png.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from plexus_office import clock  # the live server runs on the real date: orders are dated from today
from plexus_office.platform.roles import CUSTOMER_SERVICE, RETURNS
from refunds.services import refund_authorize, refund_receive, refund_request
from tests.browser.test_phone_and_accessibility import PHONE, axe_violations, check_page
from tests.factories import (
    AmbassadorFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    RetailCustomerFactory,
    UserFactory,
    VipCustomerFactory,
    paid_charge,
)

LANGUAGES = [code for code, _ in settings.LANGUAGES]

# Every cell under a visible column header carries that header as its data-label (shown before the
# value when the table stacks on a phone).
UNLABELLED_CELLS = """() => [...document.querySelectorAll('table.list')].flatMap(table => {
  const heads = [...table.querySelectorAll('thead th')].map(th =>
    th.querySelector('.visually-hidden') ? '' : th.textContent.trim());
  return [...table.querySelectorAll('tbody tr')].flatMap(row => [...row.children].map((cell, i) =>
    heads[i] && cell.dataset.label !== heads[i] ? `${heads[i]} / ${cell.outerHTML.slice(0, 60)}` : null))
    .filter(Boolean);
})"""
STACKED_LABEL_SHOWN = """() => [...document.querySelectorAll('table.list tbody td[data-label]')]
  .every(td => getComputedStyle(td, '::before').content.includes(td.dataset.label))"""


class _AlreadyThere:
    """The page as it is after a submit: ``check_page`` runs its checks without loading a URL again."""

    def __init__(self, page) -> None:
        self._page = page

    def goto(self, url: str) -> None:
        pass

    def __getattr__(self, name: str):
        return getattr(self._page, name)


def _staff(username: str, group: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def _order(account, sku: str, *, days_ago: int = 3, **fields):
    product = ProductFactory(sku=sku, name=f"Plexus {sku.title()}", price=Decimal("49.95"), pv=40)
    order = OrderFactory(
        ref=f"O-{sku}",
        account=account,
        ordered_on=clock.today() - timedelta(days=days_ago),
        charge_id=paid_charge(Decimal("49.95"), f"phone-{sku}"),
        **fields,
    )
    OrderLineFactory(order=order, product=product)
    return order, product


@pytest.fixture
def refunds_world(transactional_db):
    """A customer with an order to refund, an expired one, and refunds waiting, labelled, mailed and
    received; an ambassador with a retail sale to refund."""
    member = VipCustomerFactory(number=3001, user=UserFactory(username="vip"), name="Vera Vip")
    cs, returns = _staff("cs-phone", CUSTOMER_SERVICE), _staff("returns-phone", RETURNS)
    _order(member, "SLIM")
    _order(member, "OLD", days_ago=90)
    made = {}
    for sku, method in (("WAIT", "prepaid_label"), ("LABEL", "prepaid_label"), ("MAIL", "post_office")):
        order, product = _order(member, sku)
        made[sku] = refund_request(
            account=member,
            order=order,
            products=[product],
            reason="money_back",
            return_method=method,
            actor=member.user,
        )
    for sku in ("LABEL", "MAIL"):
        made[sku] = refund_authorize(refund=made[sku], actor=cs)
    order, product = _order(member, "GOT")
    got = refund_authorize(
        refund=refund_request(
            account=member, order=order, products=[product], reason="satisfaction", actor=member.user
        ),
        actor=cs,
    )
    made["GOT"] = refund_receive(refund=got, actor=returns, ra_number=got.ra_number)
    ambassador = AmbassadorFactory(number=1001, user=UserFactory(username="amb"), name="Ana Soto")
    _order(RetailCustomerFactory(name="Rita Retail"), "SOLD", sold_by=ambassador)
    return made


def _submit(page, button: str) -> None:
    page.click(f"button[value={button}]")
    page.wait_for_load_state("networkidle")


def _table_problems(page, shot: str) -> list[str]:
    problems = [f"{shot}: column label missing: {cell}" for cell in page.evaluate(UNLABELLED_CELLS)]
    if not page.evaluate(STACKED_LABEL_SHOWN):
        problems.append(f"{shot}: a stacked cell does not show its column label")
    return problems


def _check(page, url: str | None, shot: str) -> list[str]:
    target = page if url is not None else _AlreadyThere(page)
    problems = check_page(target, url or "", shot)
    return problems + _table_problems(page, shot)


@pytest.mark.parametrize("language", LANGUAGES)
def test_refunds_member_pages_on_a_phone_pass_axe(page, live_server, login, refunds_world, language):
    page.set_viewport_size(PHONE)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    base = f"{live_server.url}/refunds"
    shot = f"{language}-refunds"
    login("vip")
    problems = _check(page, f"{base}/", f"{shot}-home")
    problems += _check(page, f"{base}/?order=O-SLIM&sku=SLIM", f"{shot}-form")
    page.check("input[name=reason][value=money_back]")
    _submit(page, "preview")
    assert page.locator("[data-testid=quote]").is_visible()
    problems += _check(page, None, f"{shot}-quote")
    for name, refund in refunds_world.items():
        problems += _check(page, f"{base}/{refund.pk}/", f"{shot}-detail-{name.lower()}")
    problems += _check(page, f"{base}/{refunds_world['LABEL'].pk}/label/", f"{shot}-label")
    page.context.clear_cookies()  # sign out, keep the language
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    login("amb")
    problems += _check(page, f"{base}/sales/?order=O-SOLD", f"{shot}-sales")
    assert problems == [], json.dumps(problems, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_failed_refund_request_moves_focus_to_the_error_summary(
    page, live_server, login, refunds_world, language
):
    page.set_viewport_size(PHONE)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    login("vip")
    page.goto(f"{live_server.url}/refunds/?order=O-SLIM")
    _submit(page, "submit")  # nothing picked: the products and the condition are missing

    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    problems = _check(page, None, f"{language}-refunds-form-errors")

    page.goto(f"{live_server.url}/refunds/?order=O-OLD&sku=OLD")
    page.check("input[name=reason][value=money_back]")
    _submit(page, "submit")  # ordered 90 days ago: the 60 Day Money Back Guarantee has ended

    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert "O-OLD" in page.inner_text("[data-error-summary]")
    problems += _check(page, None, f"{language}-refunds-refusal")
    assert axe_violations(page) == []
    assert problems == [], json.dumps(problems, indent=1, ensure_ascii=False)
