"""The queue change page writes only what staff may edit, only on the version they saw."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from plexus_office import clock
from plexus_office.platform.queues import QueueItemChanged
from plexus_office.platform.roles import CUSTOMER_SERVICE
from refunds.models import Refund, RefundStatus
from refunds.services import refund_authorize, refund_request
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory, UserFactory, VipCustomerFactory
from tests.refunds.conftest import TODAY, paid_charge, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(TODAY):
        yield


@pytest.fixture
def cs_user(db):
    return staff_user(CUSTOMER_SERVICE, "cs")


@pytest.fixture
def refund(db):
    member = VipCustomerFactory(user=UserFactory(username="vip"))
    slim = ProductFactory(sku="SLIM", price=Decimal("89.95"), pv=60)
    order = OrderFactory(ref="O-1", account=member, ordered_on=date(2026, 2, 1), shipping=Decimal("0"))
    OrderLineFactory(order=order, product=slim, qty=1, unit_price=Decimal("89.95"), pv=60)
    order.charge_id = paid_charge(Decimal("89.95"), "order-O-1")
    order.save(update_fields=["charge_id"])
    return refund_request(
        account=member, order=order, products=[slim], reason="money_back", actor=member.user
    )


def _change_url(refund) -> str:
    return reverse("admin:refunds_refund_change", args=[refund.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_change_form_offers_only_assignee_and_internal_note_to_every_group(client, refund):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    form = client.get(_change_url(refund)).context["adminform"].form

    assert sorted(form.fields) == ["assignee", "staff_note"]


def test_a_save_writes_the_note_and_bumps_the_version_with_an_audit_entry(client, refund, cs_user):
    client.force_login(cs_user)

    client.post(
        _change_url(refund), {"staff_note": "left a voicemail", "assignee": "", "_queue_version": "0"}
    )

    refund.refresh_from_db()
    assert (refund.staff_note, refund.version, refund.status) == ("left a voicemail", 1, "requested")


def test_a_save_from_a_page_older_than_a_decision_is_refused_naming_who_and_when(client, refund, cs_user):
    colleague = UserFactory(username="cs-bob", is_staff=True, is_superuser=True)
    refund_authorize(refund=Refund.objects.get(pk=refund.pk), actor=colleague)
    client.force_login(cs_user)

    response = client.post(
        _change_url(refund), {"staff_note": "stale", "assignee": "", "_queue_version": "0"}
    )

    refund.refresh_from_db()
    assert (refund.status, refund.staff_note) == (RefundStatus.AUTHORIZED, "")
    [message] = _messages(response)
    assert re.fullmatch(
        r"Refund \d+ \(authorized\) was changed by cs-bob at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ meanwhile; "
        r"nothing of yours was saved\. Reload the page and decide again\.",
        message,
    )


def test_a_transition_button_never_saves_the_form_fields(client, refund, cs_user):
    client.force_login(cs_user)

    client.post(
        _change_url(refund),
        {"_fsm_transition_to": "authorize", "staff_note": "typed but not saved", "_queue_version": "0"},
    )

    refund.refresh_from_db()
    assert refund.staff_note == ""


def test_a_button_pressed_on_a_stale_page_changes_nothing(client, refund, cs_user):
    refund_authorize(refund=Refund.objects.get(pk=refund.pk), actor=cs_user)
    client.force_login(cs_user)

    response = client.post(_change_url(refund), {"_fsm_transition_to": "reject", "_queue_version": "0"})

    refund.refresh_from_db()
    assert refund.status == RefundStatus.AUTHORIZED
    assert "meanwhile" in _messages(response)[0]


def test_a_stale_model_save_anywhere_raises_instead_of_overwriting(refund, cs_user):
    stale = Refund.objects.get(pk=refund.pk)
    refund_authorize(refund=Refund.objects.get(pk=refund.pk), actor=cs_user)

    with pytest.raises(QueueItemChanged):
        stale.save()
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.AUTHORIZED
