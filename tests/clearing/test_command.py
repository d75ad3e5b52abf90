"""``manage.py request_clear`` as scenarios.md specifies."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clearing.models import ClearRequest

pytestmark = pytest.mark.django_db


def run(*args: str) -> dict:
    out = StringIO()
    call_command("request_clear", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_accepted_request_prints_its_id(tree):
    document = run(
        "--requester", str(tree.ann.number), "--member", str(tree.cal.number), "--as-of", "2026-03-10"
    )

    request = ClearRequest.objects.get()
    assert document == {"accepted": True, "request": request.pk, "kind": "customer", "due_on": "2026-03-11"}
    assert request.submitted_at.date().isoformat() == "2026-03-10"


def test_refusal_prints_its_code_and_files_nothing(tree):
    document = run(
        "--requester", str(tree.ann.number), "--member", str(tree.dee.number), "--as-of", "2026-03-10"
    )

    assert (document["accepted"], document["refusal"]) == (False, "member_active")
    assert ClearRequest.objects.count() == 0


def test_unknown_member_is_one_clear_error(tree):
    with pytest.raises(CommandError, match=r"^--member: unknown account 999999$"):
        run("--requester", str(tree.ann.number), "--member", "999999")


def test_bad_date_is_one_clear_error(tree):
    with pytest.raises(CommandError, match=r"^--as-of: bad date '2026-02-30' \(expected YYYY-MM-DD\)$"):
        run("--requester", str(tree.ann.number), "--member", str(tree.cal.number), "--as-of", "2026-02-30")
    assert ClearRequest.objects.count() == 0
