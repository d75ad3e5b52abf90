"""Browser: an ambassador walks her team tree (expand a level, search with the path, a past day) and
exports the downline report; Customer Service opens the same tree read-only from the member's admin page.

The live server runs on the real date; every fact here is dated well before it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.contrib.auth.models import Group

from accounts.models import Account, SponsorChangeReason
from accounts.services import sponsor_change
from plexus_office.platform.roles import CUSTOMER_SERVICE
from tests.factories import AmbassadorFactory, UserFactory, VipCustomerFactory

SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def build_team() -> Account:
    ann = AmbassadorFactory(number=1001, name="Ann Leader", user=UserFactory(username="ann"),
                            enrolled_on=date(2020, 1, 1))  # fmt: skip
    ben = AmbassadorFactory(number=2001, name="Ben Builder", sponsor=ann, enrolled_on=date(2024, 1, 1))
    VipCustomerFactory(number=3001, name="Cora Customer", sponsor=ben, enrolled_on=date(2024, 6, 1))
    eve = VipCustomerFactory(
        number=4001, name="Eve Lead", sponsor=Account.objects.get(number=2), enrolled_on=date(2024, 7, 1)
    )
    sponsor_change(account=eve, new_sponsor=ann, reason=SponsorChangeReason.LEAD_PLACEMENT, actor=None,
                   on=date(2024, 8, 1))  # fmt: skip
    return ann


def test_ambassador_expands_searches_goes_back_in_time_and_exports(
    page, live_server, login, transactional_db
):
    build_team()
    login("ann")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.click("details.nav-menu > summary")  # on a phone the navigation is a collapsed menu
    page.click("text=My team")
    # The expand buttons work once team.js (deferred) has run: wait for the tree page to have loaded.
    page.wait_for_url("**/team/**")
    page.wait_for_load_state("load")
    assert page.get_by_test_id("node-3001").count() == 0  # only the first level is in the page

    page.get_by_test_id("expand-2001").focus()
    page.keyboard.press("Enter")
    page.get_by_test_id("node-3001").wait_for()
    assert "Personally enrolled" in page.get_by_test_id("node-3001").inner_text()
    assert "Placed by Leads" in page.get_by_test_id("node-4001").inner_text()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "team-tree-phone.png"), full_page=True)

    page.fill("input[name=q]", "cora")
    page.click("button:has-text('Find')")
    assert "Ben Builder (#2001) › Cora Customer (#3001)" in page.get_by_test_id("hit-3001").inner_text()

    page.fill("input[name=as_of]", "2024-07-15")
    page.click("button:has-text('Show')")
    assert (page.get_by_test_id("node-2001").count(), page.get_by_test_id("node-4001").count()) == (1, 0)

    # The report of a past day: pages by keys from the history, no totals (they need the whole walk).
    page.goto(f"{live_server.url}/team/report/?as_of=2024-08-15")
    assert (page.get_by_test_id("row-4001").count(), page.get_by_test_id("totals").count()) == (1, 0)
    assert "Personally enrolled" in page.get_by_test_id("row-3001").inner_text()
    page.get_by_test_id("keyset-pager").wait_for(state="attached")
    page.screenshot(path=str(SHOTS / "team-report-as-of-phone.png"), full_page=True)

    page.goto(f"{live_server.url}/team/report/")
    assert page.get_by_test_id("total-members").inner_text() == "3"
    with page.expect_download() as download:
        page.get_by_test_id("csv-link").click()
    lines = Path(download.value.path()).read_text().strip().splitlines()
    assert (lines[0].split(",")[:2], len(lines)) == (["Level", "Number"], 4)


def test_customer_service_opens_the_tree_from_the_member_admin_page(
    page, live_server, login, transactional_db
):
    ann = build_team()
    staff = UserFactory(username="carla", is_staff=True)
    staff.groups.add(Group.objects.get(name=CUSTOMER_SERVICE))
    login("carla", admin=True)
    page.goto(f"{live_server.url}/admin/accounts/account/{ann.pk}/change/")
    page.click("text=Team tree")
    page.wait_for_url("**/team/**")
    page.wait_for_load_state("load")
    assert "read-only" in page.locator("h1").inner_text()
    page.get_by_test_id("expand-2001").click()
    page.get_by_test_id("node-3001").wait_for()
    page.fill("input[name=as_of]", "2024-05-31")
    page.click("button:has-text('Show')")
    # A past day counts who sat directly below each member (the whole size would walk the history).
    assert (page.get_by_test_id("size-2001").inner_text(), page.get_by_test_id("expand-2001").count()) == (
        "0 directly below",
        0,
    )
    page.screenshot(path=str(SHOTS / "team-tree-staff.png"), full_page=True)
