"""The adjustment's product and warehouse are read with SQL compiled once per process, and
answer as DRF's ``PrimaryKeyRelatedField`` over the rows they accept."""

from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.serializers import StockAdjustmentSerializer
from stockyard.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db


def _adjustment(product: object, warehouse: object) -> StockAdjustmentSerializer:
    return StockAdjustmentSerializer(
        data={"product": product, "warehouse": warehouse, "quantity": "-1", "reason": "x"}
    )


def test_the_product_and_warehouse_are_read_without_the_orms_compiler():
    product, warehouse = ProductFactory.create(), WarehouseFactory.create()
    assert _adjustment(product.pk, warehouse.pk).is_valid()  # compiled here, once
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True) as compiling:
        serializer = _adjustment(product.pk, warehouse.pk)
        assert serializer.is_valid(), serializer.errors
    assert compiling.call_count == 0
    assert serializer.validated_data["product"] == product
    assert serializer.validated_data["warehouse"] == warehouse


@pytest.mark.parametrize("which", ["inactive", "missing", "text"])
def test_a_warehouse_that_takes_no_stock_is_refused_as_before(which):
    product = ProductFactory.create()
    closed = WarehouseFactory.create(is_active=False)
    given = {"inactive": closed.pk, "missing": closed.pk + 1000, "text": "x"}[which]
    serializer = _adjustment(product.pk, given)
    assert not serializer.is_valid()
    expected = (
        f"Incorrect type. Expected pk value, received {type(given).__name__}."
        if which == "text"
        else f'Invalid pk "{given}" - object does not exist.'
    )
    assert serializer.errors["warehouse"] == [expected]


def test_an_inactive_product_is_accepted_and_a_missing_one_refused():
    inactive = ProductFactory.create(is_active=False)
    warehouse = WarehouseFactory.create()
    assert _adjustment(inactive.pk, warehouse.pk).is_valid()
    missing = _adjustment(inactive.pk + 1000, warehouse.pk)
    assert not missing.is_valid()
    assert missing.errors["product"] == [
        f'Invalid pk "{inactive.pk + 1000}" - object does not exist.'
    ]
