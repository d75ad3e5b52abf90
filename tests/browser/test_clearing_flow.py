"""Browser: an ambassador finds an inactive member and requests clearing; Customer Service clears it.

The live server runs on the real date; the members' facts are old enough to stay inactive on any
later day, which is the only direction time moves them.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

from accounts.models import Account
from clearing.models import ClearRequest, ClearStatus
from clearing.services import clear_request_submit
from plexus_office import clock
from plexus_office.platform.roles import CUSTOMER_SERVICE
from tests.clearing.conftest import build_tree
from tests.factories import OrderFactory, UserFactory


def test_ambassador_finds_an_inactive_member_and_requests_clearing(
    page, live_server, login, transactional_db
):
    tree = build_tree()
    login("ann")

    page.click("text=Clear inactive members")
    page.fill("input[name=q]", "quiet")
    page.click("button:has-text('Search')")
    row = page.get_by_test_id(f"member-{tree.cal.number}")
    assert "inactive" in row.inner_text()
    assert "2025-03-09" in row.inner_text()
    row.get_by_role("link", name="Request clearing").click()

    assert page.locator("h1").inner_text() == "Customer Clear Request"
    page.fill("textarea[name=reason]", "No orders for a year; not answering calls.")
    page.click("button:has-text('Send Customer Clear Request')")
    assert "Confirmation: tick the box" in page.locator(".errorlist").inner_text()
    assert ClearRequest.objects.count() == 0

    page.check("input[name=confirm]")
    page.click("button:has-text('Send Customer Clear Request')")
    page.wait_for_load_state("networkidle")

    request = ClearRequest.objects.get()
    assert (request.member_id, request.requester_id, request.status) == (
        tree.cal.pk,
        tree.ann.pk,
        "submitted",
    )
    assert f"Customer Clear Request #{request.pk} sent" in page.locator(".messages").inner_text()
    assert "Waiting for Customer Service" in page.get_by_test_id("clear-requests").inner_text()


def test_active_member_shows_why_it_cannot_be_cleared(page, live_server, login, transactional_db):
    tree = build_tree()

    OrderFactory(account=tree.dee, ordered_on=clock.today())
    login("ann")
    page.goto(f"{live_server.url}/clearing/?q={tree.dee.number}")

    row = page.get_by_test_id(f"member-{tree.dee.number}")
    assert "Active: ordered on" in row.inner_text()
    assert row.get_by_role("link", name="Request clearing").count() == 0


def test_customer_service_clears_the_member_in_admin(page, live_server, login, transactional_db):
    tree = build_tree()
    request = clear_request_submit(requester=tree.ann, member=tree.eve, actor=tree.ann.user)
    carol = UserFactory(username="carol", is_staff=True)
    carol.groups.add(Group.objects.get(name=CUSTOMER_SERVICE))
    login("carol", admin=True)

    page.goto(f"{live_server.url}/admin/clearing/clearrequest/")
    assert str(tree.eve) in page.locator("#result_list").inner_text()
    page.click(f"#result_list a[href$='/{request.pk}/change/']")
    page.click("button[value=clear]")
    page.fill("textarea[name=description]", "Checked: no activity.")
    page.click("input[value=Apply]")
    page.wait_for_load_state("networkidle")

    assert "Done: Clear the member." in page.locator(".messagelist").inner_text()
    request.refresh_from_db()
    eve = Account.objects.get(pk=tree.eve.pk)
    assert (request.status, request.decided_by, request.decision_note) == (
        ClearStatus.CLEARED,
        carol,
        "Checked: no activity.",
    )
    assert (eve.status, eve.cancel_reason, eve.sponsor_id) == ("cancelled", "cleared", None)
    assert Account.objects.get(pk=tree.fay.pk).sponsor_id == tree.ann.pk
