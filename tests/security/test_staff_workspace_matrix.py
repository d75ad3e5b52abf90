"""The staff workspace (issue 15) x every role: who finds members, reads the member page, adds a
note, starts Leads runs; and who may change a member (nobody but a superuser, through the admin).

Anonymous visitors and members (not staff) are sent to the admin login; staff outside the allowed
groups get 403. Member-facing data never reaches someone who is not staff.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Account
from leads.models import LeadRun
from leads.services import leads_assign
from operations.models import ContactNote
from tests.security.conftest import OWNER_EMAIL, OWNER_PHONE, OWNER_STREET, Company

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "admin-login"
MEMBER_ROLES = ("anonymous", "other", "upline", "owner")
STAFF = ("customer_service", "returns", "finance", "leads_ops")


def expect(staff, **overrides) -> dict[str, int | str]:
    table: dict[str, int | str] = dict.fromkeys(MEMBER_ROLES, ADMIN_LOGIN)
    table.update(dict.fromkeys(STAFF, staff))
    table.update(overrides)
    return table


def _client(company: Company, role: str) -> Client:
    client = Client()
    if company.users[role] is not None:
        client.force_login(company.users[role])
    return client


def _status(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith("/admin/login/"):
        return ADMIN_LOGIN
    return response.status_code


ROWS = {
    "find a member": ("GET", lambda c: reverse("staff:member_search") + "?q=olive", expect(200)),
    "member page": ("GET", lambda c: reverse("staff:member_detail", args=[c.owner.number]), expect(200)),
    "service log filtered": (
        "GET",
        lambda c: reverse("staff:member_detail", args=[c.owner.number]) + "?kind=email&page=2",
        expect(200),
    ),
    "add a contact note": (
        "POST",
        lambda c: reverse("staff:member_note_add", args=[c.owner.number]),
        expect(302),
    ),
    "start a Leads run": ("GET", lambda c: reverse("admin:leads_leadrun_start"), expect(403, leads_ops=200)),
    "admin index dashboard": ("GET", lambda c: reverse("admin:index"), expect(200)),
    # Seeing an account in the admin is allowed to every staff group; changing it to none.
    "account change (POST)": (
        "POST",
        lambda c: reverse("admin:accounts_account_change", args=[c.owner.pk]),
        expect(403),
    ),
}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_each_role_gets_exactly_the_expected_status(company, name):
    method, path, expected = ROWS[name]
    got = {}
    leaked = []
    for role in (*MEMBER_ROLES, *STAFF):
        client = _client(company, role)
        url = path(company)
        if method == "GET":
            response = client.get(url)
        else:
            data = {
                "channel": "phone",
                "text": f"note by {role}",
                "email": "changed@example.com",
                "name": "X",
            }
            response = client.post(url, data)
        got[role] = _status(response)
        if role in MEMBER_ROLES and role != "owner":
            body = response.content.decode(errors="replace")
            leaked += [f"{role}: {m}" for m in (OWNER_EMAIL, OWNER_STREET, OWNER_PHONE) if m in body]

    assert got == expected
    assert leaked == []


def test_only_staff_notes_are_written_and_the_member_is_unchanged(company):
    before = Account.objects.values_list("email", "name", "phone").get(pk=company.owner.pk)
    for role in (*MEMBER_ROLES, *STAFF):
        _client(company, role).post(
            reverse("staff:member_note_add", args=[company.owner.number]), {"channel": "phone", "text": role}
        )
        _client(company, role).post(
            reverse("admin:accounts_account_change", args=[company.owner.pk]),
            {"email": "changed@example.com", "name": "Changed"},
        )

    assert sorted(ContactNote.objects.values_list("text", flat=True)) == sorted(STAFF)
    assert Account.objects.values_list("email", "name", "phone").get(pk=company.owner.pk) == before


def test_a_run_page_opens_for_leads_operations_only(company):
    run = leads_assign(actor=None, dry_run=True).run
    url = reverse("admin:leads_leadrun_change", args=[run.pk])

    got = {role: _status(_client(company, role).get(url)) for role in STAFF}

    assert got == {"customer_service": 403, "returns": 403, "finance": 403, "leads_ops": 200}


def test_a_dry_run_posted_by_another_group_is_refused_and_nothing_runs(company):
    got = {
        role: _status(_client(company, role).post(reverse("admin:leads_leadrun_start"), {}))
        for role in STAFF
        if role != "leads_ops"
    }

    assert got == {"customer_service": 403, "returns": 403, "finance": 403}
    assert LeadRun.objects.count() == 0
