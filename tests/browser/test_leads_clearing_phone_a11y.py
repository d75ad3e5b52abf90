"""Leads and Clearing member pages on a 390×844 phone in English, Spanish and Canadian French.

Each page: axe-core at 0 violations of any impact, no horizontal scroll, tap targets of 44 px or more
(``check_page`` of test_phone_and_accessibility.py), every cell of a stacked table labelled, and focus
on the error summary after a failed submit. Screenshots: test-results/phone/<lang>-<page>.png.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.conf import settings

from accounts.models import Account
from clearing.services import clear_request_clear, clear_request_submit
from leads.services import leads_assign, sponsor_correction_reject, sponsor_correction_request
from tests.browser.test_phone_and_accessibility import LANGUAGES, PHONE, SHOTS, axe_violations, check_page
from tests.clearing.conftest import build_tree
from tests.factories import AmbassadorFactory, StaffUserFactory, UserFactory
from tests.leads.builders import AS_OF, lead, qualified_sponsor

# Every data cell of a stacked table shows its column's label before it (td[data-label]::before).
UNLABELLED_CELLS = """() => [...document.querySelectorAll('table.list tbody td')]
  .filter(td => td.offsetParent !== null)
  .filter(td => { const label = getComputedStyle(td, '::before').content;
                  return !label || label === 'none' || label === 'normal' || label === '""'; })
  .map(td => td.outerHTML.slice(0, 80))"""


def _user(account: Account, username: str) -> None:
    Account.objects.filter(pk=account.pk).update(user=UserFactory(username=username))


@pytest.fixture
def people(transactional_db):
    """Ann's downline (tree) with a request in each state; a lead under "2" with a refused correction;
    a sponsor with leads placed; a customer."""
    tree = build_tree()
    staff = StaffUserFactory(username="cs-carol", is_superuser=True)
    cleared = clear_request_submit(requester=tree.ann, member=tree.gus, actor=None)
    clear_request_clear(request=cleared, actor=staff)
    clear_request_submit(requester=tree.ann, member=tree.fay, actor=None)
    _user(tree.cal, "cal")

    sponsor = qualified_sponsor(1001, name="Sue Sponsor", email="sue@example.com")
    lead(5001, listed=date(2026, 2, 1), name="Lee Lead", email="lee@example.com")
    leads_assign(as_of=AS_OF, actor=None)
    _user(sponsor, "sue")
    AmbassadorFactory(number=1002, name="Max Meant")
    nia = lead(5002, listed=date(2026, 11, 1), name="Nia New")
    refused = sponsor_correction_request(account=nia, sponsor_number=1002, actor=None)
    sponsor_correction_reject(correction=refused, actor=staff, note="—")
    _user(nia, "nia")
    return tree


# check_page's tap-target rule, for a page reached by a POST (check_page loads its URL again).
SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, summary, input, select')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > 0)
  .filter(e => !e.closest('p, li:not(nav li), td > div.muted'))
  .filter(e => { const r = e.getBoundingClientRect(); return r.height < 44 && r.width > 0
             && !['checkbox', 'radio', 'hidden'].includes(e.type); })
  .map(e => e.outerHTML.slice(0, 80))"""


def _labels(page, shot: str) -> list[str]:
    return [f"{shot}: stacked cell without its label: {cell}" for cell in page.evaluate(UNLABELLED_CELLS)]


def _visit(page, url: str, shot: str) -> list[str]:
    return check_page(page, url, shot) + _labels(page, shot)


def _check_here(page, shot: str) -> list[str]:
    """check_page's checks on the page as it is now (the answer to a POST)."""
    problems = [f"{shot}: {v}" for v in axe_violations(page)]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{shot}: horizontal scroll of {overflow}px")
    problems += [f"{shot}: tap target under 44px: {html}" for html in page.evaluate(SMALL_TARGETS)]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    return problems + _labels(page, shot)


def _failed_submit(page, shot: str) -> list[str]:
    """After a failed submit the error summary has the focus, and the page still passes axe."""
    page.click("main [type=submit]")
    page.wait_for_load_state("networkidle")
    problems = []
    if not page.evaluate("document.activeElement.hasAttribute('data-error-summary')"):
        problems.append(f"{shot}: focus is not on the error summary")
    return problems + _check_here(page, shot)


@pytest.mark.parametrize("language", LANGUAGES)
def test_leads_and_clearing_pages_on_a_phone_pass_axe_in_every_language(
    page, live_server, login, people, language
):
    tree = people
    page.set_viewport_size(PHONE)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    url = live_server.url
    problems: list[str] = []

    login("ann")  # an upline ambassador
    problems += _visit(page, f"{url}/", f"{language}-lc-ambassador-dashboard")
    problems += _visit(page, f"{url}/clearing/", f"{language}-clearing-home")
    problems += _visit(page, f"{url}/clearing/?q=Nobody", f"{language}-clearing-no-match")
    problems += _visit(page, f"{url}/clearing/?q=x&page=0", f"{language}-clearing-search-error")
    problems += _visit(
        page, f"{url}/clearing/request/{tree.dee.number}/", f"{language}-clearing-request-active"
    )
    problems += _visit(page, f"{url}/clearing/request/{tree.cal.number}/", f"{language}-clearing-request")
    problems += _failed_submit(page, f"{language}-clearing-request-error")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": url}])

    login("cal")  # a customer: clearing is not for them
    problems += _visit(page, f"{url}/clearing/", f"{language}-clearing-customer")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": url}])

    login("sue")  # a sponsor with leads placed
    problems += _visit(page, f"{url}/", f"{language}-leads-sponsor-dashboard")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": url}])

    login("nia")  # a lead under "2" with a refused correction
    problems += _visit(page, f"{url}/", f"{language}-leads-lead-dashboard")
    problems += _visit(page, f"{url}/leads/correction/", f"{language}-leads-correction")
    problems += _failed_submit(page, f"{language}-leads-correction-empty")
    page.fill("input[name=sponsor_number]", "777")
    problems += _failed_submit(page, f"{language}-leads-correction-refused")

    assert problems == [], json.dumps(problems, indent=1, ensure_ascii=False)
