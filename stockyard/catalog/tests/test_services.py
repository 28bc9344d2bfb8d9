from decimal import Decimal

import pytest

from stockyard.catalog import services
from stockyard.catalog.models import Category, Product
from stockyard.catalog.tests.factories import CategoryFactory, ProductFactory
from stockyard.core import errors
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def test_product_create_defaults_and_event(emitted, settings):
    settings.DEFAULT_CURRENCY = "EUR"
    product = services.product_create(sku="BOLT-1", name="Bolt")
    product.refresh_from_db()
    assert (product.currency, product.price, product.unit_id) == ("EUR", Decimal("0"), "pcs")
    [event] = emitted("product.created")
    assert event["data"] == {
        "id": product.pk,
        "sku": "BOLT-1",
        "name": "Bolt",
        "unit": "pcs",
        "barcode": "",
        "category": None,
        "supplier": None,
        "price": "0.0000",
        "cost": "0.0000",
        "currency": "EUR",
        "reorder_point": "0.000",
        "reorder_quantity": "0.000",
        "lead_time_days": 0,
        "is_active": True,
    }


def test_skus_are_unique_ignoring_case():
    ProductFactory(sku="Bolt-M8")
    with pytest.raises(errors.ValidationFailed) as refused:
        services.product_create(sku="BOLT-m8", name="Twin")
    assert list(refused.value.errors) == ["sku"]
    assert Product.objects.count() == 1


def test_update_may_recase_its_own_sku_but_not_take_another():
    product, other = ProductFactory(sku="abc-1"), ProductFactory(sku="abc-2")
    services.product_update(product=product, sku="ABC-1")
    with pytest.raises(errors.ValidationFailed):
        services.product_update(product=other, sku="Abc-1")
    other.refresh_from_db()
    assert other.sku == "abc-2"


def test_an_inactive_supplier_cannot_become_a_default_supplier():
    inactive = SupplierFactory(is_active=False)
    with pytest.raises(errors.ValidationFailed) as refused:
        services.product_create(sku="X-1", name="X", supplier=inactive)
    assert list(refused.value.errors) == ["supplier"]
    product = ProductFactory()
    with pytest.raises(errors.ValidationFailed):
        services.product_update(product=product, supplier=inactive)


def test_a_product_keeps_a_default_supplier_deactivated_since():
    product = ProductFactory()
    product.supplier.is_active = False
    product.supplier.save()
    services.product_update(product=product, supplier=product.supplier, price=Decimal("12.00"))
    product.refresh_from_db()
    assert product.price == Decimal("12.00")


def test_product_update_publishes(emitted):
    product = ProductFactory()
    services.product_update(product=product, is_active=False)
    assert emitted("product.updated")[0]["data"]["is_active"] is False


def test_product_delete(emitted):
    product = ProductFactory()
    pk = product.pk
    services.product_delete(product=product)
    assert not Product.objects.filter(pk=pk).exists()
    assert emitted("product.deleted")[0]["data"]["id"] == pk


def test_a_product_with_stock_cannot_be_deleted(emitted):
    product = ProductFactory()
    put_stock(product, WarehouseFactory(), 3)
    with pytest.raises(errors.Conflict):
        services.product_delete(product=product)
    assert Product.objects.filter(pk=product.pk).exists()
    assert not emitted("product.deleted")


def test_category_tree_and_events(emitted):
    hardware = services.category_create(name="Hardware")
    fasteners = services.category_create(name="Fasteners", parent=hardware)
    assert fasteners.parent == hardware
    assert [event["data"] for event in emitted("category.created")] == [
        {"id": hardware.pk, "name": "Hardware", "parent": None},
        {"id": fasteners.pk, "name": "Fasteners", "parent": hardware.pk},
    ]


def test_category_names_are_unique_among_siblings_ignoring_case():
    hardware = CategoryFactory(name="Hardware")
    CategoryFactory(name="Fasteners", parent=hardware)
    with pytest.raises(errors.ValidationFailed) as refused:
        services.category_create(name="FASTENERS", parent=hardware)
    assert list(refused.value.errors) == ["name"]
    with pytest.raises(errors.ValidationFailed):
        services.category_create(name="hardware")  # top level too
    assert services.category_create(name="Fasteners").parent is None  # another parent


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_a_category_cannot_move_under_itself(depth):
    root = CategoryFactory()
    below = root
    for _ in range(depth):
        below = CategoryFactory(parent=below)
    with pytest.raises(errors.ValidationFailed) as refused:
        services.category_update(category=root, parent=below)
    assert list(refused.value.errors) == ["parent"]
    root.refresh_from_db()
    assert root.parent is None


def test_a_category_moves_to_another_branch_and_to_the_top(emitted):
    a, b = CategoryFactory(), CategoryFactory()
    child = CategoryFactory(parent=a)
    services.category_update(category=child, parent=b)
    assert Category.objects.get(pk=child.pk).parent == b
    services.category_update(category=child, parent=None)
    assert Category.objects.get(pk=child.pk).parent is None
    assert len(emitted("category.updated")) == 2


def test_only_empty_categories_are_deleted(emitted):
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    with pytest.raises(errors.Conflict):
        services.category_delete(category=parent)
    product = ProductFactory(category=child)
    with pytest.raises(errors.Conflict):
        services.category_delete(category=child)
    services.product_update(product=product, category=None)
    services.category_delete(category=child)
    services.category_delete(category=parent)
    assert not Category.objects.exists()
    assert len(emitted("category.deleted")) == 2
