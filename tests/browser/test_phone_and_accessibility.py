"""Member pages on a 390×844 phone, in every language, checked by axe-core (0 violations of any impact).

axe-core comes from the axe-playwright-python test dependency (its bundled axe.min.js, read from disk
and evaluated in the page: nothing is fetched from a CDN). Screenshots: test-results/phone/<lang>-<page>.png.
"""

from __future__ import annotations

import json
from pathlib import Path

import axe_playwright_python
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import AmbassadorFactory, UserFactory

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
SHOTS = Path(settings.BASE_DIR) / "test-results" / "phone"
PHONE = {"width": 390, "height": 844}
LANGUAGES = [code for code, _ in settings.LANGUAGES]
MEMBER_PAGES = {
    "dashboard": "/",
    "personal": "/account/personal/",
    "cards": "/account/cards/",
    "inbox": "/inbox/",
    "newsletter": "/tools/library/newsletter/",
    "dropship": "/account/dropship/",
    "cancel": "/account/cancel/",
    "clearing": "/clearing/",
    "refunds": "/refunds/",
    "sponsor-correction": "/leads/correction/",
    "team": "/team/",
    "team-report": "/team/report/",
    "membership": "/account/membership/",
    "orders": reverse("account_orders"),
    "autoship": reverse("account_autoship"),
    "pay": reverse("account_pay"),
}
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


def axe_violations(page) -> list[str]:
    page.evaluate(AXE_SOURCE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]
    ]


def check_page(page, url: str, shot: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    problems = [f"{shot}: {v}" for v in axe_violations(page)]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{shot}: horizontal scroll of {overflow}px")
    small = page.evaluate(
        """() => [...document.querySelectorAll('a, button, summary, input, select')]
          .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > 0)
          .filter(e => !e.closest('p, li:not(nav li), td > div.muted'))
          .filter(e => { const r = e.getBoundingClientRect(); return r.height < 44 && r.width > 0
                     && !['checkbox', 'radio', 'hidden'].includes(e.type); })
          .map(e => e.outerHTML.slice(0, 80))"""
    )
    problems += [f"{shot}: tap target under 44px: {html}" for html in small]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_pages_on_a_phone_pass_axe(page, live_server, login, ann, language):
    page.set_viewport_size(PHONE)
    cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}
    page.context.add_cookies([cookie])
    problems = check_page(page, f"{live_server.url}/login/", f"{language}-login")
    problems += check_page(page, f"{live_server.url}/join/", f"{language}-join")
    login("ann")
    for name, path in MEMBER_PAGES.items():
        problems += check_page(page, f"{live_server.url}{path}", f"{language}-{name}")
    # The navigation collapses: content starts near the top, the menu opens on a tap.
    assert page.locator("details.nav-menu").get_attribute("open") is None
    assert page.locator("main h1").bounding_box()["y"] < 250
    page.locator("details.nav-menu > summary").click()
    assert page.locator("nav.site-nav a").first.is_visible()
    assert problems == [], json.dumps(problems, indent=1, ensure_ascii=False)


def test_failed_sign_in_moves_focus_to_the_error_summary(page, live_server, ann):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "ann")
    page.fill("input[name=password]", "wrong-password")
    page.click("[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert axe_violations(page) == []
