import pytest
from rest_framework import serializers

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.tests.factories import WarehouseFactory
from stockyard.partners.tests.factories import CustomerFactory
from stockyard.sales.serializers import SalesOrderSerializer
from stockyard.sales.services import OrderLineInput

pytestmark = pytest.mark.django_db


def test_each_serializer_gets_its_own_fields_built_like_the_first():
    first, second = SalesOrderSerializer(), SalesOrderSerializer()
    assert list(first.fields) == list(second.fields)
    for name, field in first.fields.items():
        assert field is not second.fields[name]
        assert field.parent is first
        assert second.fields[name].parent is second
        assert type(field) is type(second.fields[name])
        assert repr(field) == repr(second.fields[name])
    lines = first.fields["lines"]
    assert isinstance(lines, serializers.ListSerializer)
    assert lines.child is not second.fields["lines"].child
    assert lines.child.fields["product"] is not second.fields["lines"].child.fields["product"]


def test_the_products_of_all_lines_are_fetched_in_one_query(django_assert_num_queries):
    customer, warehouse = CustomerFactory(), WarehouseFactory()
    products = [ProductFactory() for _ in range(5)]
    data = {
        "customer": customer.pk,
        "warehouse": warehouse.pk,
        "lines": [{"product": product.pk, "quantity": "1"} for product in products],
    }
    serializer = SalesOrderSerializer(data=data)
    with django_assert_num_queries(3):  # the customer, the warehouse, the products
        assert serializer.is_valid(), serializer.errors
    lines = serializer.validated_data["lines"]
    assert all(isinstance(line, OrderLineInput) for line in lines)
    assert [line.product for line in lines] == products


def test_what_one_serializer_fetched_stays_its_own():
    """Fields are copied shallowly from the class's: the batch a line's product field
    fetched belongs to that serializer alone."""
    product = ProductFactory()
    data = {
        "customer": CustomerFactory().pk,
        "warehouse": WarehouseFactory().pk,
        "lines": [{"product": product.pk, "quantity": "1"}],
    }
    first, second = SalesOrderSerializer(data=data), SalesOrderSerializer()
    assert first.is_valid(), first.errors
    assert first.fields["lines"].child.fields["product"].batch == {product.pk: product}
    assert second.fields["lines"].child.fields["product"].batch == {}
