"""Member pages (/clearing/), the dashboard panel and the API (/api/v1/clearing/)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse
from rest_framework.test import APIClient

from clearing.models import ClearRequest
from clearing.services import clear_request_reject, clear_request_submit
from tests.factories import TODAY, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann_client(client, tree, today):
    client.force_login(tree.ann.user)
    return client


def test_search_by_name_finds_a_member_at_any_depth_with_its_facts(ann_client, tree):
    response = ann_client.get(reverse("clearing:home"), {"q": "quiet"})

    members = response.context["members"]
    assert [(m.account.number, m.depth, m.verdict.activity, m.clearable) for m in members] == [
        (tree.cal.number, 2, "inactive", True)
    ]
    assert reverse("clearing:request", args=[tree.cal.number]) in response.content.decode()


def test_search_by_account_number_shows_why_an_active_member_cannot_be_cleared(ann_client, tree):
    response = ann_client.get(reverse("clearing:home"), {"q": str(tree.dee.number)})

    (member,) = response.context["members"]
    assert not member.clearable
    assert member.why_not.startswith("Active: ordered on 2025-03-10, within 12 months")
    assert "Request clearing" not in response.content.decode()


def test_search_never_shows_members_outside_the_downline(ann_client, tree):
    response = ann_client.get(reverse("clearing:home"), {"q": "Oscar"})

    assert response.context["members"] == []


def test_list_page_runs_a_fixed_number_of_queries(ann_client, tree, django_assert_num_queries):
    # session, user, the member account (one request-scoped lookup shared by the view, the navigation
    # and the inbox badge; was three), downline CTE page, activity facts of the page, open requests of
    # the page, the unread count, the requester's requests table
    with django_assert_num_queries(8):
        ann_client.get(reverse("clearing:home"))


def test_customer_sees_a_clear_message_instead_of_the_search(client, tree):
    user = UserFactory(username="cal")
    tree.cal.user = user
    tree.cal.save(update_fields=["user"])
    client.force_login(user)

    response = client.get(reverse("clearing:home"))

    assert "Clearing is for Brand Ambassadors" in response.content.decode()
    assert "members" not in response.context


def test_request_form_needs_the_confirmation(ann_client, tree):
    response = ann_client.post(reverse("clearing:request", args=[tree.cal.number]), {"reason": "gone"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "confirm": ["Confirmation: tick the box to confirm the clear request."]
    }
    assert ClearRequest.objects.count() == 0


def test_request_form_files_a_customer_clear_request(ann_client, tree):
    page = ann_client.get(reverse("clearing:request", args=[tree.cal.number]))
    assert "<h1>Customer Clear Request</h1>" in page.content.decode()

    response = ann_client.post(
        reverse("clearing:request", args=[tree.cal.number]), {"reason": "", "confirm": "on"}
    )

    assert response.status_code == 302
    request = ClearRequest.objects.get()
    assert (request.member, request.requester, request.submitted_by) == (tree.cal, tree.ann, tree.ann.user)


def test_request_form_shows_the_refusal_for_an_active_member(ann_client, tree):
    response = ann_client.post(reverse("clearing:request", args=[tree.dee.number]), {"confirm": "on"})

    assert response.status_code == 400
    assert response.context["form"].errors["__all__"][0].startswith(f"Account {tree.dee.number} is active")
    assert ClearRequest.objects.count() == 0


def test_request_form_for_someone_outside_the_downline_is_not_found(ann_client, tree):
    assert ann_client.get(reverse("clearing:request", args=[tree.out.number])).status_code == 404


def test_dashboard_panel_lists_the_requesters_requests_and_outcomes(ann_client, tree, staff):
    request = clear_request_submit(requester=tree.ann, member=tree.cal, actor=None, as_of=TODAY)
    clear_request_reject(request=request, actor=staff, note="Cal ordered by phone")

    html = Template('{% include "clearing/_dashboard.html" %}').render(Context({"account": tree.ann}))

    assert "Customer Clear Request" in html and "Cal ordered by phone" in html


def test_api_lists_only_my_requests(tree, today):
    clear_request_submit(requester=tree.ann, member=tree.cal, actor=None)
    api = APIClient()
    bob_user = UserFactory(username="bob")
    tree.bob.user = bob_user
    tree.bob.save(update_fields=["user"])

    api.force_authenticate(tree.ann.user)
    mine = api.get("/api/v1/clearing/").json()
    api.force_authenticate(bob_user)
    theirs = api.get("/api/v1/clearing/").json()

    assert [(r["member"], r["status"], r["kind"]) for r in mine["results"]] == [
        (tree.cal.number, "submitted", "customer")
    ]
    assert theirs["results"] == []


def test_api_creates_a_request(tree, today):
    api = APIClient()
    api.force_authenticate(tree.ann.user)

    response = api.post(
        "/api/v1/clearing/", {"member": tree.eve.number, "reason": "no contact"}, format="json"
    )

    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["due_on"]) == ("ambassador", "2026-03-11")


def test_api_refusal_is_a_400_with_the_code_and_field(tree, today):
    api = APIClient()
    api.force_authenticate(tree.ann.user)

    response = api.post("/api/v1/clearing/", {"member": tree.ida.number}, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("member_not_inactive", "member")
    assert response.json()["detail"].startswith(f"Account {tree.ida.number} is neither active nor inactive")


def test_api_bad_input_names_the_field(tree, today):
    api = APIClient()
    api.force_authenticate(tree.ann.user)

    response = api.post("/api/v1/clearing/", {"member": "abc"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["member"]
    assert ClearRequest.objects.count() == 0


def test_the_api_posted_twice_files_one_request(tree, today):
    api = APIClient()
    api.force_authenticate(tree.ann.user)
    body = {"member": tree.eve.number, "reason": "no contact"}

    first = api.post("/api/v1/clearing/", body, format="json")
    second = api.post("/api/v1/clearing/", body, format="json")

    assert (first.status_code, second.status_code) == (201, 400)
    assert second.json()["code"] == "already_requested"
    assert ClearRequest.objects.filter(member=tree.eve).count() == 1


def test_dashboard_panel_reads_the_requests_with_their_members_in_one_query(
    tree, today, django_assert_num_queries
):
    clear_request_submit(requester=tree.ann, member=tree.cal, actor=None, as_of=TODAY)
    template = Template('{% include "clearing/_dashboard.html" %}')

    # the requests joined to the member's number and name (no lazy load per row)
    with django_assert_num_queries(1):
        html = template.render(Context({"account": tree.ann}))

    assert tree.cal.name in html and str(tree.cal.number) in html
