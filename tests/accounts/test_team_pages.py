"""My team: the tree one level at a time, search with the path, the downline report (filters, sort,
CSV, totals), as of a past day; staff read-only from the member's admin page."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group

from accounts.team.selectors import ReportFilters, children_on, report_rows, search_on
from plexus_office import clock
from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE
from tests.accounts.team_builders import team_with_placed_lead
from tests.factories import (
    TODAY,
    AmbassadorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(TODAY):
        yield


@pytest.fixture
def team():
    """Ann > Ben > (Cora, Dan); Ann > Eve (a lead placed with Ann later): tests/accounts/team_builders.py."""
    return team_with_placed_lead()


def test_tree_level_lists_direct_members_with_their_downline_size(team):
    nodes = children_on(parent=team, day=TODAY)
    assert [(n.number, n.downline_size, n.joined) for n in nodes] == [
        (2001, 2, "personal"),
        (4001, 0, "leads"),
    ]


def test_tree_as_of_a_past_day_leaves_out_later_members_and_moves(team):
    nodes = children_on(parent=team, day=date(2024, 7, 15))
    assert [(n.number, n.downline_size) for n in nodes] == [(2001, 2)]


def test_search_finds_a_member_with_the_path_from_the_top(team):
    hits = search_on(root=team, term="dan", day=TODAY)
    assert [[step.number for step in hit.path] for hit in hits] == [[2001, 3002]]


def test_report_group_volume_sums_the_member_and_everyone_below(team):
    rows = {r.member.number: r for r in report_rows(root=team, day=TODAY, filters=ReportFilters())}
    assert (rows[2001].group_volume, rows[3002].group_volume, rows[4001].group_volume) == (240, 120, 0)


def test_report_filters_leads_placed_with_me(team):
    rows = report_rows(root=team, day=TODAY, filters=ReportFilters(leads_placed_with_me=True))
    assert [r.member.number for r in rows] == [4001]


def test_report_sorts_by_a_column_descending(team):
    rows = report_rows(root=team, day=TODAY, filters=ReportFilters(sort="pv_this_month", descending=True))
    assert [r.member.number for r in rows][:2] == [3002, 2001]


def test_tree_page_shows_the_first_level_only(client, team):
    client.force_login(team.user)
    body = client.get("/team/").content.decode()
    assert ('data-testid="node-2001"' in body, 'data-testid="node-3001"' in body) == (True, False)


def test_children_fragment_opens_one_level(client, team):
    client.force_login(team.user)
    body = client.get("/team/children/2001/?level=2").content.decode()
    assert ('data-testid="node-3001"' in body, 'data-testid="node-3002"' in body) == (True, True)


def test_children_of_someone_outside_the_organization_is_not_found(client, team):
    client.force_login(team.user)
    outsider = AmbassadorFactory(number=9001)
    assert client.get(f"/team/children/{outsider.number}/").status_code == 404


def test_report_page_totals_and_bad_filter_named(client, team):
    client.force_login(team.user)
    response = client.get("/team/report/?level=zero")
    body = response.content.decode()
    assert (response.status_code, "level: expected a whole number" in body) == (400, True)


def test_report_csv_streams_every_row_with_a_header(client, team):
    client.force_login(team.user)
    response = client.get("/team/report/?format=csv&as_of=" + TODAY.isoformat())
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert (response["Content-Type"], lines[0].split(",")[:3], len(lines)) == (
        "text/csv; charset=utf-8",
        ["Level", "Number", "Name"],
        5,
    )


def test_report_as_of_a_past_day(client, team):
    client.force_login(team.user)
    body = client.get("/team/report/?as_of=2024-05-31").content.decode()
    assert ('data-testid="row-2001"' in body, 'data-testid="row-3001"' in body) == (True, False)


def test_customer_service_opens_a_member_tree_read_only(client, team):
    staff = UserFactory(username="cs", is_staff=True)
    staff.groups.add(Group.objects.get(name=CUSTOMER_SERVICE))
    client.force_login(staff)
    body = client.get(f"/team/staff/{team.number}/report/").content.decode()
    assert ("read-only" in body, "Request clearing" in body) == (True, False)


def test_finance_cannot_open_a_member_tree(client, team):
    staff = UserFactory(username="fin", is_staff=True)
    staff.groups.add(Group.objects.get(name=FINANCE))
    client.force_login(staff)
    assert client.get(f"/team/staff/{team.number}/").status_code == 403


def test_api_tree_opens_a_level_and_finds_the_path(client, team):
    client.force_login(team.user)
    level = client.get("/api/v1/team/tree/2001/?level=2").json()
    found = client.get("/api/v1/team/tree/?q=3002").json()
    assert ([c["number"] for c in level["children"]], found["matches"]) == (
        [3001, 3002],
        [{"number": 3002, "path": [2001, 3002]}],
    )


@pytest.mark.parametrize("level", ["abc", "0", "-1", "99999999999999999999"])
def test_api_tree_refuses_a_level_that_is_not_a_positive_number_naming_it(client, team, level):
    client.force_login(team.user)

    response = client.get("/api/v1/team/tree/2001/", {"level": level})

    assert response.status_code == 400
    assert response.json()["level"] == f"level: expected a whole number >= 1, got {level!r}"


def test_the_schema_documents_the_team_reports_query_parameters(client, team):
    client.force_login(team.user)

    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/team/report/"]["get"]["parameters"]

    assert {"as_of", "page", "after", "before", "level", "kind", "activity", "new", "leads", "sort"} <= {
        p["name"] for p in parameters
    }


def test_api_report_pages_with_totals(client, team):
    client.force_login(team.user)
    document = client.get("/api/v1/team/report/?sort=-group_volume").json()
    assert (document["count"], document["totals"]["members"], document["results"][0]["number"]) == (
        4,
        4,
        2001,
    )
