"""EstimatedCountPaginator: planner estimate for whole big tables on PostgreSQL, capped count otherwise."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import Account, Product
from plexus_office.admin_paginator import EstimatedCountPaginator, estimated_table_rows, is_unfiltered
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_small_unfiltered_table_gets_an_exact_count():
    ProductFactory.create_batch(3)

    paginator = EstimatedCountPaginator(Product.objects.all(), 2)

    assert paginator.count == 3
    assert paginator.num_pages == 2


def test_filtered_count_stops_at_the_cap():
    ProductFactory.create_batch(5)
    paginator = EstimatedCountPaginator(Product.objects.filter(pv=60), 2)
    paginator.count_cap = 4

    assert paginator.count == 4


def test_filtered_count_below_the_cap_is_exact():
    ProductFactory.create_batch(3)
    ProductFactory(pv=5)

    assert EstimatedCountPaginator(Product.objects.filter(pv=60), 2).count == 3


def test_is_unfiltered_tells_a_whole_table_from_a_filtered_one():
    assert is_unfiltered(Account.objects.order_by("-number"))
    assert not is_unfiltered(Account.objects.filter(kind="ambassador"))
    assert not is_unfiltered(Account.objects.all()[:10])


def test_estimate_is_none_for_an_unknown_table_or_a_database_without_one():
    # SQLite has no planner statistics; PostgreSQL's to_regclass gives NULL for a missing table.
    assert estimated_table_rows(table="no_such_table") is None


@pytest.mark.postgres
def test_big_unfiltered_table_uses_the_planner_estimate_without_counting(django_assert_num_queries):
    with connection.cursor() as cursor:
        # Pretend the planner believes the table is big; no ANALYZE runs in the test transaction.
        cursor.execute("UPDATE pg_class SET reltuples = 2500000 WHERE oid = 'accounts_product'::regclass")
    ProductFactory.create_batch(2)
    paginator = EstimatedCountPaginator(Product.objects.all(), 100)

    with django_assert_num_queries(1):  # the pg_class estimate, no count(*)
        assert paginator.count == 2_500_000


def test_a_deep_page_reads_its_ids_then_the_rows_in_the_same_order(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr("plexus_office.admin_paginator.DEFERRED_JOIN_FROM", 3)
    products = ProductFactory.create_batch(9)
    ordered = sorted(products, key=lambda p: p.sku, reverse=True)
    paginator = EstimatedCountPaginator(Product.objects.order_by("-sku"), 3)
    paginator.count  # noqa: B018 - counted before, as the changelist does

    # the page's ids in the queryset's order, then those rows by primary key
    with django_assert_num_queries(2):
        page = paginator.page(2)

    assert [p.pk for p in page.object_list] == [p.pk for p in ordered[3:6]]


def test_a_first_page_is_one_query_as_before(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr("plexus_office.admin_paginator.DEFERRED_JOIN_FROM", 4)
    ProductFactory.create_batch(5)
    paginator = EstimatedCountPaginator(Product.objects.order_by("sku"), 3)
    paginator.count  # noqa: B018

    with django_assert_num_queries(1):
        page = paginator.page(1)
        rows = list(page.object_list)

    assert [p.sku for p in rows] == sorted(p.sku for p in Product.objects.all())[:3]
