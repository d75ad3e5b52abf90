"""account_status --json prints exactly one JSON document with the contract's keys."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.operations.test_load_scenario import GOOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(GOOD))
    call_command("load_scenario", str(path), stdout=io.StringIO())


def status(*args):
    out = io.StringIO()
    call_command("account_status", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_ambassador_status_as_json(loaded):
    result = status("1001", "--as-of", "2026-03-10")

    assert {
        k: result[k]
        for k in ("number", "kind", "status", "sponsor", "activity", "clearable", "commission_qualified")
    } == {
        "number": 1001,
        "kind": "ambassador",
        "status": "active",
        "sponsor": 1,
        "activity": "active",
        "clearable": False,
        "commission_qualified": False,
    }
    assert result["lead_sponsor"]["qualified"] is False
    assert result["lead_sponsor"]["rules"] == {
        "title_rank": True,
        "paid_rank": True,
        "subscription_pv": True,
        "new_vip_customer": True,
        "new_ambassador": False,
    }
    assert result["commission_missing"] == ["a card paying the subscription"]


def test_customer_status_is_active_or_inactive_and_never_a_lead_sponsor(loaded):
    result = status("1002", "--as-of", "2027-03-10")

    assert result["activity"] == "inactive"
    assert result["clearable"] is True
    assert result["sponsor"] == 1001
    assert result["lead_sponsor"]["qualified"] is False


def test_unknown_account_is_refused_naming_it(loaded):
    with pytest.raises(CommandError, match="NUMBER: unknown account 4242"):
        status("4242")


def test_bad_as_of_is_refused_naming_the_option(loaded):
    with pytest.raises(CommandError, match=r"--as-of: bad date '2026-02-30'"):
        status("1001", "--as-of", "2026-02-30")
