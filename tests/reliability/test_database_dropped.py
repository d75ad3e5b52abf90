"""PostgreSQL drops the connection in the middle of a request: a clean 500 and nothing half-saved.

The backend serving the request is terminated (``pg_terminate_backend`` from a second connection)
just before the request's second INSERT, i.e. after the first write of its transaction reached the
database. The request must fail, and the rolled-back transaction must leave no row behind.
"""

from __future__ import annotations

import psycopg2
import pytest
from auditlog.models import LogEntry
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Order
from plexus_office.platform.models import EmailOutbox
from refunds.models import Refund

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("refunds_today")]


class DropConnectionOnInsert:
    """``connection.execute_wrapper``: terminate this connection's backend before INSERT number ``nth``."""

    def __init__(self, nth: int) -> None:
        self.nth = nth
        self.inserts: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT"):
            self.inserts.append(sql.split('"')[1])
            if len(self.inserts) == self.nth:
                _terminate(context["connection"].connection.info.backend_pid)
        return execute(sql, params, many, context)


def _terminate(pid: int) -> None:
    db = connection.settings_dict
    killer = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    killer.autocommit = True
    try:
        with killer.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        killer.close()


def _counts() -> tuple[int, int, int, int]:
    return (
        Refund.objects.count(),
        EmailOutbox.objects.count(),
        LogEntry.objects.count(),
        Order.objects.count(),
    )


def test_a_refund_request_whose_database_connection_drops_mid_write_fails_and_saves_nothing(
    transactional_db,
    member,
    order,
    slim,
):
    before = _counts()
    api = APIClient(raise_request_exception=False)
    api.force_login(member.user)
    drop = DropConnectionOnInsert(nth=2)

    with connection.execute_wrapper(drop):
        response = api.post(
            "/api/v1/refunds/", {"order": order.ref, "skus": ["SLIM"], "reason": "money_back"}, format="json"
        )

    assert response.status_code == 500
    assert len(drop.inserts) == 2  # the first write happened inside the transaction, then the drop
    connection.close()  # the broken connection; the next query opens a fresh one
    assert _counts() == before
    # The same request, with the database back, goes through once.
    again = api.post(
        "/api/v1/refunds/", {"order": order.ref, "skus": ["SLIM"], "reason": "money_back"}, format="json"
    )
    assert again.status_code == 201
    assert Refund.objects.count() == before[0] + 1
