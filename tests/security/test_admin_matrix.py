"""Django admin per staff group: which changelists open (200) or refuse (403), and which transition
buttons each group sees on the change page of a queue item. Every registered admin model is listed,
so a new admin page fails ``test_every_admin_page_is_in_the_matrix`` until someone decides who sees it.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from refunds.models import Refund, RefundStatus
from tests.security.conftest import STAFF_GROUPS, Company

pytestmark = pytest.mark.django_db

CS, RET, FIN, LOPS = "customer_service", "returns", "finance", "leads_ops"

# Model -> the staff groups whose changelist opens; every other group gets 403.
CHANGELISTS: dict[str, set[str]] = {
    "auth.group": set(),
    "auth.user": set(),
    "django_celery_beat.periodictask": {LOPS},
    "django_celery_beat.clockedschedule": set(),
    "django_celery_beat.crontabschedule": {LOPS},
    "django_celery_beat.solarschedule": set(),
    "django_celery_beat.intervalschedule": set(),
    "auditlog.logentry": set(),
    "otp_totp.totpdevice": set(),  # superusers reset a lost second factor; no group does
    "otp_static.staticdevice": set(),
    "knox.authtoken": set(),
    "axes.accessattempt": set(),
    "axes.accesslog": set(),
    "axes.accessfailurelog": set(),
    "platform.emailoutbox": {CS},
    "accounts.accountflag": set(),
    "accounts.pendingemailchange": set(),
    # Every staff group finds members (issue 15); only a superuser changes an account here.
    "accounts.account": {CS, RET, FIN, LOPS},
    # Sponsor history, read-only, for "was she in his downline then?" (issue 19).
    "accounts.sponsorship": {CS, LOPS},
    "accounts.paidrank": set(),
    "accounts.product": set(),
    "accounts.order": set(),
    "accounts.subscription": set(),
    "accounts.membershipfeepayment": set(),
    "accounts.savedcard": set(),
    "accounts.commissionentry": {FIN},
    "accounts.payrun": {FIN},
    "accounts.statement": {FIN},
    "accounts.subscriptioncharge": {CS, FIN},
    "accounts.shipment": {RET},
    "accounts.perkcredit": set(),
    "accounts.enrollment": {CS},
    "leads.leadrun": {LOPS},
    "leads.leadbatch": {LOPS},
    "leads.leadplacement": {LOPS},
    "leads.qualifiedsponsor": {LOPS},
    "leads.sponsorcorrection": {CS, LOPS},
    "clearing.clearrequest": {CS},
    "refunds.refund": {CS, RET, FIN},
    "refunds.bonusreversal": {CS, FIN},
    "refunds.payout": {FIN},
}

BUTTON = re.compile(r'name="_fsm_transition_to"\s+value="(\w+)"')


def _staff_client(company: Company, role: str) -> Client:
    client = Client()
    client.force_login(company.users[role])
    return client


def _buttons(company: Company, role: str, url: str) -> set[str] | int:
    response = _staff_client(company, role).get(url)
    if response.status_code != 200:
        return response.status_code
    return set(BUTTON.findall(response.content.decode()))


def test_every_admin_page_is_in_the_matrix():
    # Test-only models (the platform's demo queue) register themselves when their tests are collected.
    registered = {
        model._meta.label_lower for model in admin.site._registry if not model.__module__.startswith("tests.")
    }

    assert registered == set(CHANGELISTS)


@pytest.mark.parametrize("role", sorted(STAFF_GROUPS))
def test_each_staff_group_opens_only_its_own_changelists(company, role):
    got = {}
    client = _staff_client(company, role)
    for label in sorted(CHANGELISTS):
        app_label, model_name = label.split(".")
        got[label] = client.get(reverse(f"admin:{app_label}_{model_name}_changelist")).status_code

    assert got == {label: 200 if role in groups else 403 for label, groups in CHANGELISTS.items()}


def test_clear_request_buttons_are_customer_service_only(company):
    url = reverse("admin:clearing_clearrequest_change", args=[company.clear_request.pk])

    got = {role: _buttons(company, role, url) for role in STAFF_GROUPS}

    assert got == {CS: {"clear", "reject"}, RET: 403, FIN: 403, LOPS: 403}


def test_sponsor_correction_buttons_are_customer_service_only(company):
    url = reverse("admin:leads_sponsorcorrection_change", args=[company.correction.pk])

    got = {role: _buttons(company, role, url) for role in STAFF_GROUPS}

    # Leads Operations may look at the corrections (view permission) but decides none.
    assert got == {CS: {"approve", "reject"}, RET: 403, FIN: 403, LOPS: set()}


def test_authorized_refund_shows_each_group_only_its_own_buttons(company):
    url = reverse("admin:refunds_refund_change", args=[company.refund.pk])

    got = {role: _buttons(company, role, url) for role in STAFF_GROUPS}

    assert company.refund.status == RefundStatus.AUTHORIZED
    assert got == {CS: {"reject"}, RET: {"receive", "receive_refused"}, FIN: set(), LOPS: 403}


def test_received_refund_shows_the_refund_button_to_finance_only(company):
    Refund.objects.filter(pk=company.refund.pk).update(status=RefundStatus.RECEIVED)
    url = reverse("admin:refunds_refund_change", args=[company.refund.pk])

    got = {role: _buttons(company, role, url) for role in STAFF_GROUPS}

    assert got == {CS: set(), RET: set(), FIN: {"refund"}, LOPS: 403}


@pytest.mark.parametrize(
    ("role", "transition"),
    [(RET, "reject"), (FIN, "reject"), (CS, "receive"), (FIN, "receive"), (CS, "refund"), (RET, "refund")],
)
def test_posting_another_groups_transition_changes_nothing(company, role, transition):
    url = reverse("admin:refunds_refund_transition", args=[company.refund.pk, transition])

    _staff_client(company, role).post(url, {"description": "not mine to decide", "ra_number": "x"})

    assert Refund.objects.get(pk=company.refund.pk).status == RefundStatus.AUTHORIZED


@pytest.mark.parametrize(
    ("queue", "transition"), [("clearing_clearrequest", "clear"), ("leads_sponsorcorrection", "approve")]
)
@pytest.mark.parametrize("role", [RET, FIN, LOPS])
def test_posting_a_customer_service_decision_as_another_group_changes_nothing(
    company, role, queue, transition
):
    obj = company.clear_request if queue.startswith("clearing") else company.correction
    url = reverse(f"admin:{queue}_transition", args=[obj.pk, transition])

    response = _staff_client(company, role).post(url, {"description": "not mine"})

    assert response.status_code in (302, 403)
    obj.refresh_from_db()
    assert obj.status == "submitted"
