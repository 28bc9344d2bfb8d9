"""A ``KeyedRead`` sends the statement its queryset sends and answers the same instances; a
``KeyedPrimaryKeyRelatedField`` answers as DRF's ``PrimaryKeyRelatedField``."""

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from stockyard.catalog.models import Product
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core.compiled import KeyedRead
from stockyard.core.serializers import KeyedPrimaryKeyRelatedField
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.models import Customer
from stockyard.sales.models import SalesOrder, SalesOrderLine
from stockyard.sales.selectors import sales_order_lines
from stockyard.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db

LOCKED_ORDER = KeyedRead(
    lambda key: (
        SalesOrder.objects.select_for_update(of=("self",))
        .select_related("customer", "warehouse")
        .filter(pk=key)
    )
)
LINES = KeyedRead(lambda key: sales_order_lines().filter(order_id=key))


@pytest.fixture
def order() -> SalesOrder:
    warehouse = WarehouseFactory.create()
    first, second = ProductFactory.create(), ProductFactory.create()
    put_stock(first, warehouse, 10)
    put_stock(second, warehouse, 1)
    return make_order((first, 2), (second, 3), warehouse=warehouse, allow_backorder=True)


def _sent(read: object) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        answer = read() if callable(read) else read
    return answer, [query["sql"] for query in queries.captured_queries]


def test_a_read_sends_its_querysets_statement_and_answers_the_same_rows(order):
    queryset = sales_order_lines().filter(order_id=order.pk)
    expected, by_orm = _sent(lambda: list(queryset))

    lines, compiled = _sent(lambda: LINES.all(order.pk))
    again, compiled_again = _sent(lambda: LINES.all(order.pk))

    assert compiled == by_orm == compiled_again
    assert (
        [line.pk for line in lines] == [line.pk for line in expected] == [line.pk for line in again]
    )
    for line, from_orm in zip(lines, expected, strict=True):
        assert isinstance(line, SalesOrderLine)
        assert line.quantity == from_orm.quantity
        assert line.product == from_orm.product  # select_related, loaded by the statement
        assert line.product.sku == from_orm.product.sku
        assert line.quantity_backordered == from_orm.quantity_backordered  # an annotation
        assert line._state.adding is False


def test_a_locking_read_with_joined_rows(order):
    with transaction.atomic():
        locked, sent = _sent(lambda: LOCKED_ORDER.one(order.pk))
        assert locked is not None
        with CaptureQueriesContext(connection) as queries:
            assert locked.customer.pk == order.customer_id
            assert locked.warehouse.code == order.warehouse.code
        assert queries.captured_queries == []
    assert len(sent) == 1
    if connection.vendor == "postgresql":
        assert sent[0].endswith('FOR UPDATE OF "sales_salesorder"')
    assert locked.total == order.total
    assert isinstance(locked.total, Decimal)


def test_an_unknown_key_is_none_and_a_key_that_is_no_id_raises_as_a_lookup(order):
    assert LOCKED_ORDER.one(order.pk + 1000) is None
    assert LINES.all(order.pk + 1000) == []
    with pytest.raises(ValueError):
        SalesOrder.objects.filter(pk="x").first()
    with pytest.raises(ValueError):
        LINES.all("x")


def test_a_queryset_must_take_its_key_once():
    twice = KeyedRead(lambda key: SalesOrder.objects.filter(pk=key, customer_id=key))
    with pytest.raises(RuntimeError):
        twice.all(1)


@pytest.mark.parametrize("data", ["customer", "999999", 999999, 10**20, -1, "x", True, None, 1.0])
def test_a_keyed_primary_key_field_answers_as_drf_s(order, data):
    """The customer field of a sales order: the row, or DRF's refusal, word for word."""
    the_customer = data == "customer"
    if the_customer:
        data = order.customer_id

    def answer(field: serializers.PrimaryKeyRelatedField) -> object:
        try:
            return field.run_validation(data)
        except serializers.ValidationError as refused:
            return refused.detail

    keyed = answer(KeyedPrimaryKeyRelatedField(queryset=Customer._default_manager))
    assert keyed == answer(serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all()))
    if the_customer:  # not ``data == order.customer_id``: True == 1, the first id
        assert keyed == order.customer


def _products(ids: Any) -> QuerySet[Product]:
    return Product.objects.filter(pk__in=ids).order_by("pk")


AMONG = KeyedRead(_products)


def test_a_read_of_several_ids_sends_the_querysets_statement_for_each_length():
    products = [ProductFactory.create() for _ in range(4)]
    ids = tuple(product.pk for product in products)
    for key in (ids[:3], ids[1:4], ids[:2], ids[:3]):
        expected, by_orm = _sent(lambda key=key: list(_products(key)))
        found, compiled = _sent(lambda key=key: AMONG.all(key))
        assert compiled == by_orm
        assert [each.pk for each in found] == [each.pk for each in expected] == sorted(key)
        assert [each.sku for each in found] == [each.sku for each in expected]


def test_ids_of_no_row_or_beyond_any_column_find_nothing_and_no_id_raises():
    product = ProductFactory.create()
    assert [each.pk for each in AMONG.all((product.pk, 10**20, -1))] == [product.pk]
    assert AMONG.all((10**20,)) == []
    with pytest.raises(ValueError):
        AMONG.all((product.pk, "x"))


def test_a_nested_key_is_compiled_per_shape(order):
    """Levels per warehouse, as the stock services lock them: one IN per warehouse."""

    def levels(groups: Any) -> QuerySet[StockLevel]:
        matching = Q()
        for warehouse, products in groups:
            matching |= Q(warehouse_id=warehouse, product_id__in=products)
        return StockLevel.objects.filter(matching).order_by("pk")

    read = KeyedRead(levels)
    other = WarehouseFactory.create()
    lines = list(order.lines.all())
    put_stock(lines[0].product, other, 4)
    for groups in (
        ((order.warehouse_id, (lines[0].product_id, lines[1].product_id)),),
        ((order.warehouse_id, (lines[1].product_id,)), (other.pk, (lines[0].product_id,))),
        ((other.pk, (lines[0].product_id,)),),
    ):
        expected, by_orm = _sent(lambda groups=groups: list(levels(groups)))
        found, compiled = _sent(lambda groups=groups: read.all(groups))
        assert compiled == by_orm
        assert [level.pk for level in found] == [level.pk for level in expected]
        assert len(found) == sum(len(products) for _, products in groups)


def test_a_field_of_another_manager_reads_through_it(order):
    """A manager bound to a database (or any manager but the default) is read as DRF
    reads it, not by the compiled read of every row."""
    bound = Customer.objects.db_manager("default")
    assert bound is not Customer._default_manager
    field = KeyedPrimaryKeyRelatedField(queryset=bound)
    _, sent = _sent(lambda: field.run_validation(order.customer_id))
    by_drf = serializers.PrimaryKeyRelatedField(queryset=bound)
    _, sent_by_drf = _sent(lambda: by_drf.run_validation(order.customer_id))
    assert sent == sent_by_drf
