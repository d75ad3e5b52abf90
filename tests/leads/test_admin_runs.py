"""Leads runs from the admin: the unplaced reason for a loop, a dry run that changes nothing, the real
run after a confirmation, and the run page (placements, unplaced with reasons, emails caused)."""

from __future__ import annotations

from datetime import date

import pytest
from celery import current_app as celery_app
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.models import Account, AccountKind
from leads.models import LeadPlacement, LeadRun
from leads.services import leads_assign
from plexus_office import clock
from plexus_office.platform.models import EmailOutbox
from plexus_office.platform.roles import CUSTOMER_SERVICE, LEADS_OPERATIONS
from tests.factories import SubscriptionFactory, UserFactory
from tests.leads.builders import AS_OF, lead, qualified_sponsor, sponsor_number_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = old


def staff(group: str, username: str) -> Client:
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def test_a_lead_whose_only_open_sponsor_is_in_its_own_downline_gets_its_own_reason():
    top = lead(5001, listed=date(2026, 2, 1), kind=AccountKind.AMBASSADOR)
    below = qualified_sponsor(1002)  # the only qualified sponsor, and it sits below the lead
    Account.objects.filter(pk=below.pk).update(sponsor=top)
    SubscriptionFactory(account=top, pv=100)

    result = leads_assign(as_of=AS_OF, actor=None, dry_run=True)

    assert result.placements == []
    assert dict(result.unplaced) == {5001: "only_sponsors_in_own_downline"}


def test_a_lead_is_no_open_sponsor_when_every_qualified_sponsor_had_its_batch():
    qualified_sponsor(1001, last_lead_batch_on=date(2026, 3, 2))  # served this half-month
    lead(5001, listed=date(2026, 2, 1))

    result = leads_assign(as_of=AS_OF, actor=None, dry_run=True)

    assert dict(result.unplaced) == {5001: "no_open_sponsor"}


def test_a_run_records_its_unplaced_leads_and_a_dry_run_its_table():
    qualified_sponsor(1001)
    lead(5001, listed=date(2026, 2, 1))
    lead(5002, listed=date(2026, 3, 5))  # not due

    result = leads_assign(as_of=AS_OF, actor=None, dry_run=True)

    run = LeadRun.objects.get(pk=result.run.pk)
    assert run.report == {"unplaced": [[5002, "not_due"]], "placements": [[5001, 1001, True]]}


def test_leads_operations_start_a_dry_run_from_admin_and_nothing_changes():
    qualified_sponsor(1001)
    lead(5001, listed=date(2026, 2, 1))
    client = staff(LEADS_OPERATIONS, "lops")

    with clock.frozen_at(AS_OF):
        response = client.post(reverse("admin:leads_leadrun_start"), {"as_of": "2026-03-10"})

    run = LeadRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:leads_leadrun_change", args=[run.pk])
    assert (run.dry_run, run.trigger, run.started_by.username, run.placed_count) == (True, "admin", "lops", 1)
    assert sponsor_number_of(5001) == 2
    assert LeadPlacement.objects.count() == 0
    assert EmailOutbox.objects.count() == 0


def test_the_dry_run_page_shows_who_would_get_whom_and_why_not():
    qualified_sponsor(1001, name="Sue Sponsor")
    lead(5001, listed=date(2026, 2, 1), name="Lee Lead")
    lead(5002, listed=date(2026, 3, 5), name="Nia New")
    result = leads_assign(as_of=AS_OF, actor=None, dry_run=True)
    client = staff(LEADS_OPERATIONS, "lops")

    page = client.get(reverse("admin:leads_leadrun_change", args=[result.run.pk])).content.decode()

    assert "#5001 Lee Lead" in page and "#1001 Sue Sponsor" in page
    assert "Longest-waiting open sponsor in the same country" in page
    assert "#5002 Nia New" in page and "Not due yet" in page
    assert "Place these leads (real run)" in page


def test_the_real_run_needs_the_confirmation_box(eager):
    qualified_sponsor(1001)
    lead(5001, listed=date(2026, 2, 1))
    dry = leads_assign(as_of=AS_OF, actor=None, dry_run=True).run
    client = staff(LEADS_OPERATIONS, "lops")

    response = client.post(reverse("admin:leads_leadrun_place", args=[dry.pk]), {})

    assert response.status_code == 400
    assert "tick the box" in response.content.decode()
    assert LeadRun.objects.count() == 1
    assert sponsor_number_of(5001) == 2


def test_the_confirmed_real_run_places_the_leads_and_its_page_lists_the_emails(
    eager, django_capture_on_commit_callbacks
):
    qualified_sponsor(1001, email="sue@example.com")
    lead(5001, listed=date(2026, 2, 1), email="lee@example.com")
    dry = leads_assign(as_of=AS_OF, actor=None, dry_run=True).run
    client = staff(LEADS_OPERATIONS, "lops")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:leads_leadrun_place", args=[dry.pk]), {"confirm": "on"})

    assert response.status_code == 302
    real = LeadRun.objects.get(dry_run=False)
    assert (real.trigger, real.started_by.username, real.as_of, real.placed_count) == (
        "admin",
        "lops",
        AS_OF,
        1,
    )
    assert sponsor_number_of(5001) == 1001
    page = client.get(reverse("admin:leads_leadrun_change", args=[real.pk])).content.decode()
    assert "Emails caused (2)" in page
    assert "sue@example.com" in page and "lee@example.com" in page


@pytest.mark.parametrize("url_name", ["admin:leads_leadrun_start"])
def test_only_leads_operations_start_runs(url_name):
    client = staff(CUSTOMER_SERVICE, "cs")

    response = client.post(reverse(url_name), {"as_of": "2026-03-10"})

    assert response.status_code == 403
    assert LeadRun.objects.count() == 0
