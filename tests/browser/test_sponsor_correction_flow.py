"""Browser: a lead listed under Corporate Sponsor "2" asks to be moved to the sponsor they meant."""

from __future__ import annotations

from datetime import date

from accounts.models import Account
from leads.models import SponsorCorrection
from tests.factories import AmbassadorFactory, UserFactory
from tests.leads.builders import lead


def test_a_lead_asks_for_a_sponsor_correction_and_sees_it_listed(page, live_server, login, transactional_db):
    AmbassadorFactory(number=1001, name="Ann Meant")
    user = UserFactory(username="lee")
    account = lead(5001, listed=date(2026, 3, 1), name="Lee Lead")
    Account.objects.filter(pk=account.pk).update(user=user)
    login("lee")

    page.click("text=Sponsor correction")
    page.fill("input[name=sponsor_number]", "777")
    page.click("button:has-text('Send request')")
    assert "account 777 cannot be chosen as your sponsor" in page.locator(".errorlist").inner_text()
    assert SponsorCorrection.objects.count() == 0

    page.fill("input[name=sponsor_number]", "1001")
    page.click("button:has-text('Send request')")
    page.wait_for_load_state("networkidle")

    correction = SponsorCorrection.objects.get()
    assert (correction.account_id, correction.requested_sponsor.number, correction.status) == (
        account.pk,
        1001,
        "submitted",
    )
    assert f"Request #{correction.pk} sent" in page.locator(".messages").inner_text()
    assert "Ann Meant (#1001)" in page.locator("table").inner_text()
