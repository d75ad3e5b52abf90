"""The member's Request Refund Form."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from refunds.models import Refund
from refunds.services import refund_request

pytestmark = pytest.mark.django_db


def test_an_ineligible_choice_is_refused_on_the_form_with_its_dates(client, member, order):
    order.ordered_on = date(2026, 1, 5)  # 60 days ran out on 2026-03-06; today is 2026-03-10
    order.save(update_fields=["ordered_on"])
    client.force_login(member.user)

    response = client.post(
        "/refunds/",
        {
            "order": "O-1",
            "products": ["SLIM"],
            "reason": "money_back",
            "return_method": "prepaid_label",
            "action": "submit",
        },
    )

    assert response.status_code == 400
    assert "2026-03-06" in response.content.decode()
    assert Refund.objects.count() == 0


def test_an_eligible_choice_shows_the_refund_before_it_is_sent(client, member, order):
    client.force_login(member.user)

    response = client.post(
        "/refunds/",
        {"order": "O-1", "products": ["SLIM"], "reason": "money_back", "return_method": "prepaid_label"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "83.95" in page and "6.00" in page
    assert Refund.objects.count() == 0


@pytest.mark.parametrize("term", ["3001", "O-1", "SLIM"])
def test_the_refund_queue_finds_a_refund_by_account_order_or_sku(client, member, order, slim, cs_user, term):
    refund = refund_request(
        account=member, order=order, products=[slim], reason="money_back", actor=member.user
    )
    client.force_login(cs_user)

    response = client.get("/admin/refunds/refund/", {"q": term})

    assert response.status_code == 200
    assert [r.pk for r in response.context["cl"].result_list] == [refund.pk]


def test_the_refund_queue_search_for_an_unknown_number_finds_nothing(client, member, order, slim, cs_user):
    refund_request(account=member, order=order, products=[slim], reason="money_back", actor=member.user)
    client.force_login(cs_user)

    response = client.get("/admin/refunds/refund/", {"q": "99999999999999999999999"})

    assert list(response.context["cl"].result_list) == []


def test_the_dashboard_panel_lists_an_open_refund_with_its_skus_in_three_queries(
    member, order, slim, django_assert_num_queries
):
    refund = refund_request(
        account=member, order=order, products=[slim], reason="money_back", actor=member.user
    )
    template = Template('{% include "refunds/_dashboard.html" %}')

    # open refunds (only the shown columns, no join to the order), their lines with the products'
    # SKUs (one prefetch), whether the account sells directly (a customer: no query)
    with django_assert_num_queries(2):
        html = template.render(Context({"account": member}))

    assert f"/refunds/{refund.pk}/" in html and "SLIM" in html


def test_the_overdue_filter_lists_an_open_refund_due_yesterday_naming_the_open_states_once(
    client, member, order, slim, cs_user
):
    refund = refund_request(
        account=member, order=order, products=[slim], reason="money_back", actor=member.user
    )
    Refund.objects.filter(pk=refund.pk).update(due_on=date(2026, 3, 9))
    client.force_login(cs_user)

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/refunds/refund/", {"due": "overdue"})
    page = [q["sql"] for q in captured.captured_queries if 'ORDER BY "refunds_refund"."due_on"' in q["sql"]]

    assert [r.pk for r in response.context["cl"].result_list] == [refund.pk]
    # the open states once: twice, PostgreSQL squared their selectivity and sorted every overdue
    # refund instead of reading the first rows of refund_open_due
    assert len(page) == 1 and page[0].count("'requested'") == 1


def test_the_overdue_filter_leaves_out_a_refund_due_today(client, member, order, slim, cs_user):
    refund = refund_request(
        account=member, order=order, products=[slim], reason="money_back", actor=member.user
    )
    Refund.objects.filter(pk=refund.pk).update(due_on=date(2026, 3, 10))
    client.force_login(cs_user)

    response = client.get("/admin/refunds/refund/", {"due": "overdue"})

    assert list(response.context["cl"].result_list) == []


def test_the_overdue_filter_across_all_states_leaves_out_a_rejected_refund(
    client, member, order, slim, cs_user
):
    refund = refund_request(
        account=member, order=order, products=[slim], reason="money_back", actor=member.user
    )
    Refund.objects.filter(pk=refund.pk).update(status="rejected", due_on=date(2026, 3, 2))
    client.force_login(cs_user)

    response = client.get("/admin/refunds/refund/", {"due": "overdue", "status__exact": "all"})

    assert list(response.context["cl"].result_list) == []
