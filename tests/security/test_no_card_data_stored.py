"""PCI: after cards are added (web form and API), refunds are paid through the sandbox gateway and the
notification emails are sent, no test card number or CVV is anywhere in the database (every table,
read with plain SQL, sandbox and audit tables included), in the sent emails or in the logs (DEBUG).
"""

from __future__ import annotations

import logging
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from plexus_office.platform.models import EmailOutbox
from plexus_office.platform.outbox import outbox_send
from refunds.models import RefundStatus
from refunds.payments import refund_pay
from refunds.services import refund_receive
from tests.security.conftest import Company

pytestmark = pytest.mark.django_db

WEB_CARD = ("4242424242424242", "846")
API_CARD = ("378282246310005", "7319")
ORDER_CARD = "4242 4242 4242 4242"  # the order's charge in the fixture is tokenized from this number


def _dump_database() -> str:
    """Every row of every table, as text, with plain SQL."""
    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            parts.extend(f"{table}: {row!r}" for row in cursor.fetchall())
    return "\n".join(parts)


def _secrets_in(text: str) -> list[str]:
    found = []
    compact = text.replace(" ", "").replace("-", "")
    for number in (WEB_CARD[0], API_CARD[0]):
        if number in compact:
            found.append(number)
    for cvv in (WEB_CARD[1], API_CARD[1]):
        # A CVV is a few digits: look for it standing alone, not inside ids, dates, hashes, decimals or
        # the fraction of a timestamp (12:00:01.846 is a millisecond count, not a CVV).
        if re.search(rf"(?<![0-9A-Za-z.:]){cvv}(?![0-9A-Za-z])", text):
            found.append(cvv)
    return found


def test_no_card_number_or_cvv_in_the_database_emails_or_logs(company: Company, caplog):
    caplog.set_level(logging.DEBUG)
    web = Client()
    web.force_login(company.owner.user)
    added = web.post(
        "/account/cards/add/",
        {
            "number": WEB_CARD[0],
            "exp_month": 11,
            "exp_year": 2031,
            "cvv": WEB_CARD[1],
            "holder_name": "Olive Owner",
            "postal_code": "85001",
        },
    )
    api = APIClient()
    api.force_authenticate(company.owner.user)
    created = api.post(
        "/api/v1/cards/",
        {
            "number": API_CARD[0],
            "exp_month": 10,
            "exp_year": 2032,
            "cvv": API_CARD[1],
            "holder_name": "Olive Owner",
            "postal_code": "85001",
            "make_default": False,
        },
        format="json",
    )
    # A declined card and a bad CVV go through the same code paths and must not leave traces either.
    refused = api.post(
        "/api/v1/cards/",
        {
            "number": "4000000000000002",
            "exp_month": 10,
            "exp_year": 2032,
            "cvv": API_CARD[1],
            "holder_name": "Olive Owner",
            "postal_code": "85001",
            "make_default": False,
        },
        format="json",
    )
    refund = refund_receive(
        refund=company.refund, actor=company.users["returns"], ra_number=company.refund.ra_number
    )
    paid = refund_pay(refund=refund, actor=company.users["finance"])
    for outbox_id in EmailOutbox.objects.values_list("id", flat=True):
        outbox_send(outbox_id=outbox_id)

    assert (added.status_code, created.status_code, refused.status_code) == (302, 201, 400)
    assert paid.status == RefundStatus.REFUNDED
    assert len(mail.outbox) == EmailOutbox.objects.count() > 0
    dump = _dump_database()
    # The dump holds the sandbox's cards, charges and refunds and the audit trail it must stay clean of.
    for table in (
        "platform_sandboxcard",
        "platform_sandboxcharge",
        "platform_sandboxrefund",
        "auditlog_logentry",
    ):
        assert f"\n{table}: " in f"\n{dump}"
    assert _secrets_in(dump) == []
    assert _secrets_in(f"leaked {WEB_CARD[0]} and cvv={API_CARD[1]}") == [WEB_CARD[0], API_CARD[1]]
    assert _secrets_in("\n".join(m.message().as_string() for m in mail.outbox)) == []
    assert _secrets_in("\n".join(f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records)) == []
    assert len(caplog.records) > 0  # the logs were captured at all
