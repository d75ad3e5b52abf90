from __future__ import annotations

import pytest
from django.test import Client

from tests.security.conftest import company, frozen_today  # noqa: F401

pytestmark = pytest.mark.django_db


def test_smoke(company):  # noqa: F811
    c = Client()
    c.force_login(company.users["customer_service"])
    r = c.get("/admin/")
    assert r.status_code == 200, r.content[:2000]
    print(r.content.decode()[:200])
    r = c.get("/admin/staff/members/?q=olive")
    assert r.status_code == 200
    assert b"5002" in r.content
    r = c.get("/admin/staff/members/5002/")
    assert r.status_code == 200, r.content.decode()[-3000:]
    r = c.post("/admin/staff/members/5002/notes/", {"channel": "phone", "text": "Called about refund"})
    assert r.status_code == 302
    r = c.get("/admin/staff/members/5002/")
    assert b"Called about refund" in r.content
    open("/tmp/s15_member.html", "wb").write(r.content)
