"""load_scenario: a good file replaces member data; a bad one exits non-zero with one clear line and
loads nothing."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from accounts.models import Account, Order, OrderLine, PaidRank, Product, Sponsorship, Subscription
from tests.factories import AmbassadorFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "as_of": "2026-03-10",
    "products": [{"sku": "SLIM", "name": "Slim", "price": "89.95", "pv": 60}],
    "accounts": [
        {
            "number": 1001,
            "kind": "ambassador",
            "sponsor": 1,
            "enrolled_on": "2024-01-05",
            "name": "Ann Example",
            "email": "ann@example.com",
            "title_rank": "Senior Ruby",
            "paid_ranks": {"2026-01": "Senior Gold", "2026-02": "Ruby"},
            "subscription": {"status": "active", "pv": 120},
            "membership_fee_due_on": "2026-06-01",
            "orders": [
                {
                    "ref": "O-1",
                    "date": "2026-02-01",
                    "shipping": "7.95",
                    "subscription_order": True,
                    "lines": [{"sku": "SLIM", "qty": 2}],
                }
            ],
        },
        {
            "number": 1002,
            "kind": "vip_customer",
            "sponsor": 1001,
            "enrolled_on": "2025-12-01",
            "subscription": {"status": "active", "pv": 40},
        },
        {"number": 5001, "kind": "ambassador", "sponsor": 2, "enrolled_on": "2026-02-01"},
    ],
}


def write(tmp_path, data, name="scenario.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def snapshot():
    return {
        "accounts": sorted(Account.objects.values_list("number", "sponsor__number", "name")),
        "orders": Order.objects.count(),
        "lines": OrderLine.objects.count(),
        "products": Product.objects.count(),
        "paid_ranks": PaidRank.objects.count(),
        "subscriptions": Subscription.objects.count(),
        "sponsorships": Sponsorship.objects.count(),
    }


def test_good_scenario_replaces_member_data_and_keeps_staff(tmp_path):
    AmbassadorFactory(number=777)
    staff = UserFactory(username="cs", is_staff=True)

    call_command("load_scenario", write(tmp_path, GOOD), stdout=open("/dev/null", "w"))

    assert sorted(Account.objects.values_list("number", "sponsor__number")) == [
        (1, None),
        (2, 1),
        (1001, 1),
        (1002, 1001),
        (5001, 2),
    ]
    ann = Account.objects.get(number=1001)
    assert ann.title_rank == 6
    assert list(ann.paid_ranks.values_list("month", "rank")) == [(date(2026, 1, 1), 4), (date(2026, 2, 1), 5)]
    assert list(OrderLine.objects.values_list("order__ref", "qty", "unit_price", "pv")) == [
        ("O-1", 2, ann.orders.get().lines.get().unit_price, 60)
    ]
    assert str(OrderLine.objects.get().unit_price) == "89.95"
    assert Account.objects.get(number=5001).listed_under_2_on == date(2026, 2, 1)
    assert Sponsorship.objects.filter(account__number=1002, sponsor__number=1001, valid_to=None).count() == 1
    assert staff.__class__.objects.filter(pk=staff.pk).exists()


def mutate(change):
    data = copy.deepcopy(GOOD)
    change(data)
    return data


def _set(account_index, key, value):
    def change(data):
        data["accounts"][account_index][key] = value

    return change


BAD = {
    "unknown_sponsor": (_set(1, "sponsor", 9999), "account 1002: field 'sponsor': unknown account 9999"),
    "sponsor_loop": (
        lambda d: d["accounts"][0].update(sponsor=1002),
        "field 'sponsor': sponsor loop through account",
    ),
    "unknown_rank": (
        _set(0, "title_rank", "Platinum"),
        "account 1001: field 'title_rank': unknown rank 'Platinum'",
    ),
    "unknown_paid_rank": (
        _set(0, "paid_ranks", {"2026-01": "Gold Star"}),
        "account 1001: field 'paid_ranks.2026-01': unknown rank 'Gold Star'",
    ),
    "bad_date": (
        _set(1, "enrolled_on", "2025-13-01"),
        "account 1002: field 'enrolled_on': bad date '2025-13-01' (expected YYYY-MM-DD)",
    ),
    "bad_order_date": (
        lambda d: d["accounts"][0]["orders"][0].update(date="01/02/2026"),
        "account 1001, order O-1: field 'date': bad date '01/02/2026'",
    ),
    "unknown_sku": (
        lambda d: d["accounts"][0]["orders"][0]["lines"][0].update(sku="NOPE"),
        "account 1001, order O-1, line 1: field 'sku': unknown product 'NOPE'",
    ),
    "duplicate_number": (
        lambda d: d["accounts"].append(
            {"number": 1002, "kind": "vip_customer", "sponsor": 1, "enrolled_on": "2025-01-01"}
        ),
        "account 1002: field 'number' is listed twice",
    ),
    "duplicate_live_email": (
        _set(1, "email", "ANN@example.com"),
        "account 1002: field 'email': 'ANN@example.com' is already used by live account 1001",
    ),
    "unknown_kind": (_set(1, "kind", "partner"), "account 1002: field 'kind': 'partner' is not one of"),
    "customer_with_rank": (
        _set(1, "title_rank", "Gold"),
        "account 1002: field 'title_rank' is for ambassadors only",
    ),
    "corporate_number": (_set(2, "number", 2), "account 2: field 'number': accounts 1 and 2 are corporate"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scenario_is_refused_with_the_account_and_field_and_loads_nothing(tmp_path, case):
    call_command("load_scenario", write(tmp_path, GOOD), stdout=open("/dev/null", "w"))
    before = snapshot()
    change, message = BAD[case]

    with pytest.raises(CommandError) as refused:
        call_command("load_scenario", write(tmp_path, mutate(change), "bad.json"))

    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert snapshot() == before


def test_missing_file_is_refused_naming_the_file(tmp_path):
    before = snapshot()

    with pytest.raises(CommandError, match=r"file '.*nowhere\.json': not found"):
        call_command("load_scenario", str(tmp_path / "nowhere.json"))

    assert snapshot() == before


def test_malformed_json_is_refused_with_its_line_and_column(tmp_path):
    before = snapshot()

    with pytest.raises(CommandError, match=r"malformed JSON at line 2 column 1"):
        call_command("load_scenario", write(tmp_path, '{"accounts": [\n'))

    assert snapshot() == before


def test_bad_file_exits_non_zero_with_one_line_on_stderr(tmp_path, capsys):
    path = write(tmp_path, mutate(_set(1, "sponsor", 9999)))

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "load_scenario", path])

    assert exited.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err == "CommandError: account 1002: field 'sponsor': unknown account 9999"
