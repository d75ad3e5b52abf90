"""demo_logins: every role gets a login, and running it twice changes nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from accounts.models import Account, Order
from accounts.selectors import Activity, account_activity
from operations.seed.logins import DEMO_PASSWORD
from plexus_office.platform import roles

pytestmark = pytest.mark.django_db


def run():
    out = io.StringIO()
    call_command("demo_logins", "--json", stdout=out)
    return json.loads(out.getvalue())["logins"]


def test_every_role_gets_a_working_login():
    logins = run()

    assert [login["username"] for login in logins] == [
        "ambassador",
        "customer",
        "cs",
        "returns",
        "finance",
        "leadsops",
        "admin",
        "placer",
    ]
    for login in logins:
        assert authenticate(username=login["username"], password=DEMO_PASSWORD) is not None
    User = get_user_model()
    assert list(User.objects.get(username="cs").groups.values_list("name", flat=True)) == [
        roles.CUSTOMER_SERVICE
    ]
    assert User.objects.get(username="admin").is_superuser


def test_demo_ambassador_has_a_downline_with_an_inactive_member_a_subscription_and_a_card():
    run()
    ambassador = Account.objects.get(user__username="ambassador")

    assert ambassador.subscription.card.removed_at is None
    downline = list(Account.objects.filter(sponsor=ambassador))
    assert len(downline) == 6  # with Rita Retail, a direct retail sale of hers
    assert any(account_activity(account=m).activity == Activity.INACTIVE for m in downline)
    assert Order.objects.filter(account__user__username="customer").count() == 3


def test_running_twice_changes_nothing():
    run()
    before = (Account.objects.count(), Order.objects.count(), get_user_model().objects.count())

    run()

    assert (Account.objects.count(), Order.objects.count(), get_user_model().objects.count()) == before
