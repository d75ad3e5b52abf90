"""Customer Service enrolls someone on the phone from admin: the same service, the actor recorded."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import Account, Enrollment
from plexus_office.platform.audit import audit_history
from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE
from tests.factories import AmbassadorFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/accounts/enrollment/add/"


def staff(group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return user, client


def test_customer_service_enrolls_a_member_and_is_recorded_as_the_actor():
    AmbassadorFactory(number=1001)
    agent, client = staff(CUSTOMER_SERVICE)

    answer = client.post(
        URL,
        {
            "kind": "vip_customer",
            "name": "Phil Phone",
            "email": "phil@example.com",
            "country": "US",
            "sponsor": "1001",
        },
    )

    assert answer.status_code == 302
    phil = Account.objects.get(email="phil@example.com")
    enrollment = Enrollment.objects.get(account=phil)
    assert (phil.sponsor.number, enrollment.channel, enrollment.actor) == (1001, "staff", agent)
    assert [(row["action"], row["who"]) for row in audit_history(phil)] == [("enrolled", str(agent))]


def test_a_refusal_shows_on_the_form_and_creates_nothing():
    AmbassadorFactory(number=1001, email="taken@example.com")
    _agent, client = staff(CUSTOMER_SERVICE)
    before = Account.objects.count()

    answer = client.post(
        URL, {"kind": "vip_customer", "name": "X", "email": "TAKEN@example.com", "country": "US"}
    )

    assert answer.status_code == 200
    assert "already belongs to a live account" in answer.content.decode()
    assert Account.objects.count() == before


def test_other_staff_groups_cannot_enroll():
    _user, client = staff(FINANCE)

    assert client.get(URL).status_code == 403
