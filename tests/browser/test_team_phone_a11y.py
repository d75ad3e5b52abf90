"""My team on a 390×844 phone in English, Spanish and Canadian French: the tree (with a level opened and
a search), the downline report (with a filter, as of a past day, with bad input).

Each view: axe-core at 0 violations of any impact, no horizontal scroll, tap targets of 44 px or more
(``check_page`` of test_phone_and_accessibility.py, plus the tree's +/− buttons, which sit in list
items that rule leaves out), and every cell of the stacked report labelled with its column.
Screenshots: test-results/phone/<lang>-team-*.png.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.conf import settings

from accounts.models import Account, SponsorChangeReason
from accounts.services import sponsor_change
from tests.browser.test_phone_and_accessibility import LANGUAGES, PHONE, SHOTS, axe_violations, check_page
from tests.factories import AmbassadorFactory, SubscriptionFactory, UserFactory, VipCustomerFactory

# A stacked cell shows its column's label before it (td[data-label]::before).
UNLABELLED_CELLS = """() => [...document.querySelectorAll('table.list tbody td')]
  .filter(td => td.offsetParent !== null && !td.hasAttribute('colspan'))
  .filter(td => { const label = getComputedStyle(td, '::before').content;
                  return !label || label === 'none' || label === 'normal' || label === '""'; })
  .map(td => td.outerHTML.slice(0, 80))"""
# The tree's toggles and every control outside running text.
SMALL_TARGETS = """() => [...document.querySelectorAll('main a, main button, main input, main select')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > 0)
  .filter(e => e.matches('ul.tree button') || !e.closest('p, li:not(nav li)'))
  .filter(e => { const r = e.getBoundingClientRect(); return (r.height < 44 || r.width < 44) && r.width > 0
             && !['checkbox', 'radio', 'hidden'].includes(e.type) && !e.matches('p a, th a'); })
  .map(e => e.outerHTML.slice(0, 80))"""


@pytest.fixture
def team(transactional_db):
    """Ann > Ben > (Cora, paused subscription; Dan, never ordered); Ann > Eve, a lead placed with her."""
    ann = AmbassadorFactory(number=1001, name="Ann Leader", user=UserFactory(username="ann"),
                            enrolled_on=date(2020, 1, 1))  # fmt: skip
    ben = AmbassadorFactory(number=2001, name="Ben Builder", sponsor=ann, enrolled_on=date(2024, 1, 1))
    cora = VipCustomerFactory(number=3001, name="Cora Customer", sponsor=ben, enrolled_on=date(2024, 6, 1))
    VipCustomerFactory(number=3002, name="Dan Donor", sponsor=ben, enrolled_on=date(2024, 6, 1))
    eve = VipCustomerFactory(
        number=4001, name="Eve Lead", sponsor=Account.objects.get(number=2), enrolled_on=date(2024, 7, 1)
    )
    sponsor_change(account=eve, new_sponsor=ann, reason=SponsorChangeReason.LEAD_PLACEMENT, actor=None,
                   on=date(2024, 8, 1))  # fmt: skip
    SubscriptionFactory(account=cora, status="paused")
    return ann


def _extra(page, shot: str) -> list[str]:
    problems = [f"{shot}: stacked cell without its label: {c}" for c in page.evaluate(UNLABELLED_CELLS)]
    return problems + [f"{shot}: tap target under 44px: {html}" for html in page.evaluate(SMALL_TARGETS)]


def _visit(page, url: str, shot: str) -> list[str]:
    return check_page(page, url, shot) + _extra(page, shot)


def _here(page, shot: str) -> list[str]:
    """The same checks on the page as it is now (after a level was opened in place)."""
    problems = [f"{shot}: {v}" for v in axe_violations(page)]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{shot}: horizontal scroll of {overflow}px")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    return problems + _extra(page, shot)


@pytest.mark.parametrize("language", LANGUAGES)
def test_team_pages_on_a_phone_pass_axe_in_every_language(page, live_server, login, team, language):
    page.set_viewport_size(PHONE)
    url = live_server.url
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": url}])
    login("ann")
    problems: list[str] = []

    problems += _visit(page, f"{url}/team/", f"{language}-team-tree")
    page.wait_for_load_state("load")  # team.js (deferred) handles the toggles
    page.get_by_test_id("expand-2001").click()
    page.get_by_test_id("node-3001").wait_for()
    problems += _here(page, f"{language}-team-tree-level")
    problems += _visit(page, f"{url}/team/?q=cora", f"{language}-team-search")
    problems += _visit(page, f"{url}/team/?as_of=2024-13-01", f"{language}-team-tree-bad-day")
    problems += _visit(page, f"{url}/team/?q=nobody&as_of=2025-03-10", f"{language}-team-search-none")
    problems += _visit(page, f"{url}/team/report/", f"{language}-team-report")
    problems += _visit(
        page, f"{url}/team/report/?kind=vip_customer&activity=inactive", f"{language}-team-report-filter"
    )
    problems += _visit(page, f"{url}/team/report/?as_of=2024-07-15", f"{language}-team-report-past")
    problems += _visit(page, f"{url}/team/report/?level=x&sort=mood", f"{language}-team-report-errors")
    if not page.evaluate("document.activeElement.hasAttribute('data-error-summary')"):
        problems.append(f"{language}-team-report-errors: focus is not on the error summary")

    # Stacked on a phone, the report's cells still read "<column>: <value>".
    label = page.evaluate(
        "getComputedStyle(document.querySelector('[data-testid=row-2001] td'), '::before').content"
    )
    assert label == {"en": '"Level: "', "es": '"Nivel: "', "fr-ca": '"Niveau: "'}[language]
    assert problems == [], json.dumps(problems, indent=1, ensure_ascii=False)
