"""Member page, API, dashboard panel and the Leads Operations admin pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.template import Context, Template

from accounts.models import Account
from leads.models import SponsorCorrection
from leads.services import leads_assign, sponsor_correction_request
from plexus_office import clock
from plexus_office.platform.roles import LEADS_OPERATIONS
from tests.factories import AmbassadorFactory, UserFactory
from tests.leads.builders import AS_OF, lead, qualified_sponsor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(AS_OF):
        yield


def _member(number: int, **kwargs) -> tuple[Account, object]:
    user = UserFactory(username=f"m{number}")
    account = lead(number, listed=date(2026, 3, 1), **kwargs)
    Account.objects.filter(pk=account.pk).update(user=user)
    return account, user


def test_the_member_page_files_a_correction_request(client):
    AmbassadorFactory(number=1001)
    account, user = _member(5001)
    client.force_login(user)

    response = client.post("/leads/correction/", {"sponsor_number": "1001", "explanation": "Ann"})

    assert response.status_code == 302
    assert SponsorCorrection.objects.get().requested_sponsor.number == 1001


def test_the_member_page_shows_a_refusal_next_to_the_field_and_files_nothing(client):
    _account, user = _member(5001)
    client.force_login(user)

    response = client.post("/leads/correction/", {"sponsor_number": "777"})

    assert response.status_code == 400
    assert "account 777 cannot be chosen as your sponsor" in response.content.decode()
    assert SponsorCorrection.objects.count() == 0


def test_the_api_files_a_request_and_lists_only_the_members_own(client):
    AmbassadorFactory(number=1001)
    _account, user = _member(5001)
    _other, other_user = _member(5002)
    client.force_login(user)

    created = client.post(
        "/api/v1/leads/corrections/", {"sponsor_number": "1001"}, content_type="application/json"
    )
    refused = client.post(
        "/api/v1/leads/corrections/", {"sponsor_number": "1001"}, content_type="application/json"
    )
    client.force_login(other_user)
    others = client.get("/api/v1/leads/corrections/")

    assert (created.status_code, created.json()["requested_sponsor"], created.json()["due_on"]) == (
        201,
        1001,
        "2026-03-12",
    )
    assert refused.status_code == 400 and refused.json()["field"] == "account"
    assert others.json() == {"results": []}


def test_the_dashboard_panel_tells_a_qualified_ambassador_so():
    sponsor = qualified_sponsor(1001)

    html = Template("{% include 'leads/_dashboard.html' %}").render(Context({"account": sponsor}))

    assert "You qualify for the Leads program." in html


def test_the_dashboard_panel_lists_what_an_ambassador_is_missing():
    ambassador = AmbassadorFactory(number=1001)

    html = Template("{% include 'leads/_dashboard.html' %}").render(Context({"account": ambassador}))

    assert "You do not qualify for the Leads program yet" in html
    assert "title rank Brand Ambassador; Senior Ruby or higher is needed" in html


def test_the_dashboard_panel_lists_the_leads_placed_with_a_sponsor_without_a_query_per_lead(
    django_assert_num_queries,
):
    sponsor = qualified_sponsor(1001)
    lead(5001, listed=date(2026, 2, 1), name="Lena Lead")
    lead(5002, listed=date(2026, 2, 2), name="Liam Lead")
    leads_assign(as_of=AS_OF, actor=None)
    sponsor.refresh_from_db()
    template = Template("{% include 'leads/_dashboard.html' %}")

    # corrections, the five-rule verdict, the placements joined to the leads' shown columns, and
    # the sponsor (the panel asks whether it is Corporate Sponsor "2")
    with django_assert_num_queries(4):
        html = template.render(Context({"account": sponsor}))

    assert "Lena Lead" in html and "Liam Lead" in html and "5001" in html


def test_the_dashboard_panel_shows_a_correction_with_the_requested_sponsor_number(
    django_assert_num_queries,
):
    AmbassadorFactory(number=1001, name="Ann Ambassador")
    account, _user = _member(5001)
    sponsor_correction_request(account=account, sponsor_number="1001", actor=None)
    account.refresh_from_db()
    template = Template("{% include 'leads/_dashboard.html' %}")

    # corrections joined to the requested sponsor's number and name, and the account's sponsor
    with django_assert_num_queries(2):
        html = template.render(Context({"account": account}))

    assert "1001" in html and "submitted" in html.lower()


def test_leads_operations_see_qualified_sponsors_and_the_five_rules_of_anyone(client):
    qualified_sponsor(1001)
    AmbassadorFactory(number=1002)
    staff = UserFactory(username="ops", is_staff=True)
    staff.groups.add(Group.objects.get(name=LEADS_OPERATIONS))
    client.force_login(staff)

    listing = client.get("/admin/leads/qualifiedsponsor/")
    rules = client.get("/admin/leads/qualifiedsponsor/rules/", {"number": "1002"})

    assert listing.status_code == 200
    assert "never had leads" in listing.content.decode() and ">1002<" not in listing.content.decode()
    assert rules.status_code == 200
    assert "Does not qualify for the Leads program." in rules.content.decode()
    assert "paid rank 2026-01: none, 2026-02: none" in rules.content.decode()


def test_the_member_page_posted_twice_files_one_request(client):
    AmbassadorFactory(number=1001)
    _account, user = _member(5001)
    client.force_login(user)

    first = client.post("/leads/correction/", {"sponsor_number": "1001"})
    second = client.post("/leads/correction/", {"sponsor_number": "1001"})

    assert (first.status_code, second.status_code) == (302, 400)
    assert SponsorCorrection.objects.count() == 1


def test_the_api_posted_twice_files_one_request(client):
    AmbassadorFactory(number=1001)
    _account, user = _member(5001)
    client.force_login(user)

    first = client.post(
        "/api/v1/leads/corrections/", {"sponsor_number": "1001"}, content_type="application/json"
    )
    second = client.post(
        "/api/v1/leads/corrections/", {"sponsor_number": "1001"}, content_type="application/json"
    )

    assert (first.status_code, second.status_code) == (201, 400)
    assert SponsorCorrection.objects.count() == 1
