"""Browser: each staff group on its workspace — find a member, read the service log, add a note, the
dashboard (screenshots under test-results/staff/), the morning digest once, and a Leads dry run then
the real run from the admin."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from celery import current_app as celery_app
from django.contrib.contenttypes.models import ContentType

from leads.models import LeadRun
from operations.models import ContactNote, StaffInboxEntry
from operations.staff.escalation import escalation_digest_send
from operations.staff.metrics import dashboard_metrics_refresh
from plexus_office import clock
from tests.factories import TODAY
from tests.leads.builders import lead, qualified_sponsor, sponsor_number_of
from tests.security.conftest import build_company

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "staff"


@pytest.fixture
def workspace(transactional_db):
    ContentType.objects.clear_cache()  # a flushed database gives content types new ids
    with clock.frozen_at(TODAY):
        company = build_company()
    today = clock.today()  # the live server runs on the real date
    qualified_sponsor(1001, as_of=today, name="Sue Sponsor")
    lead(6001, listed=today - timedelta(days=30), name="Lee Lead")
    lead(6002, listed=today - timedelta(days=3), name="Nia New")
    dashboard_metrics_refresh()
    SHOTS.mkdir(parents=True, exist_ok=True)
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield company
    celery_app.conf.task_always_eager = old


def shot(page, name: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("role", ["returns", "finance"])
def test_a_staff_group_opens_its_dashboard_and_finds_a_member_by_number(
    page, live_server, login, workspace, role
):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(f"staff_{role}", admin=True)

    assert page.locator("#staff-dashboard svg").count() >= 2
    shot(page, f"dashboard-{role}")
    page.fill("#staff-member-q", "5002")
    page.click("#staff-dashboard input[type=submit]")

    assert page.locator("h1").inner_text() == "Member #5002 Olive Owner"
    assert "•••• 9876" in page.inner_text("#member-cards")
    assert "Uma Upline" in page.inner_text("#member-genealogy")


def test_customer_service_find_a_member_read_the_log_and_add_a_note(page, live_server, login, workspace):
    page.set_viewport_size({"width": 1280, "height": 900})
    escalation_digest_send()
    escalation_digest_send()  # the second run of the day sends nothing
    login("staff_customer_service", admin=True)

    board = page.locator("#staff-dashboard")
    assert "Clear requests" in board.inner_text()
    if clock.today().weekday() < 5:  # the digest goes out on business days only
        assert page.locator(".staff-inbox li").count() == 1
    shot(page, "dashboard-customer-service")

    page.fill("#staff-member-q", "olive")
    page.click("#staff-dashboard input[type=submit]")
    page.click("text=Olive Owner")
    assert page.locator("h1").inner_text() == "Member #5002 Olive Owner"
    assert "authorize" in page.inner_text("#service-log-table")

    page.select_option("select[name=channel]", "phone")
    page.fill("textarea[name=text]", "Called: she asked when the label arrives.")
    page.click("input[value='Add note']")
    assert "Note added to the service log." in page.inner_text(".messagelist")
    first_row = page.locator("#service-log-table tbody tr").first
    assert "Called: she asked when the label arrives." in first_row.inner_text()
    assert ContactNote.objects.get().created_by.username == "staff_customer_service"

    page.click(".svc-filters >> text=Emails")
    page.locator("details.email-details summary").first.click()
    assert page.locator("pre.email-body").first.is_visible()
    shot(page, "member-page-customer-service")


def test_the_morning_digest_reaches_customer_service_once(workspace):
    day = TODAY + timedelta(days=7)  # a Tuesday: the clear request and the correction are overdue
    first = escalation_digest_send(as_of=day)
    second = escalation_digest_send(as_of=day)

    assert [d.group for d in first if d.recipients] == ["Customer Service", "Leads Operations"]
    assert second == []
    assert StaffInboxEntry.objects.filter(user__username="staff_customer_service").count() == 1


def test_leads_operations_dry_run_then_real_run_from_admin(page, live_server, login, workspace):
    page.set_viewport_size({"width": 1280, "height": 900})
    login("staff_leads_ops", admin=True)
    shot(page, "dashboard-leads-operations")

    page.goto(f"{live_server.url}/admin/leads/leadrun/")
    page.click("text=Start a Leads run")
    page.click("input[value='Start the dry run']")
    assert "Nothing was changed" in page.inner_text(".messagelist")
    placements = page.inner_text("#run-placements")
    assert "#6001 Lee Lead" in placements and "#1001 Sue Sponsor" in placements
    assert "not_due" in page.inner_text("#run-unplaced")
    assert sponsor_number_of(6001) == 2
    shot(page, "leads-dry-run")

    page.click("#start-real-run")
    # The box is required (the browser asks for it; the server refuses without it, tests/leads).
    page.check("input[name=confirm]")
    page.click("input[value='Place the leads now']")
    assert "is started" in page.inner_text(".messagelist")
    real = LeadRun.objects.get(dry_run=False)
    assert (real.trigger, real.placed_count, sponsor_number_of(6001)) == ("admin", 1, 1001)

    page.goto(f"{live_server.url}/admin/leads/leadrun/{real.pk}/change/")
    assert "Emails caused (2)" in page.inner_text("#content-main")
    shot(page, "leads-real-run")


def test_a_queue_list_fits_a_1280_px_screen_without_clipping(page, live_server, login, workspace):
    page.set_viewport_size({"width": 1280, "height": 900})
    login("staff_customer_service", admin=True)

    page.goto(f"{live_server.url}/admin/refunds/refund/?status__exact=all")

    shot(page, "queue-refunds-1280")
    widths = page.locator("#changelist .results").evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] <= widths[1], widths
