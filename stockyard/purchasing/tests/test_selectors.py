from decimal import Decimal

import pytest

from stockyard.catalog import services as catalog
from stockyard.catalog.models import Product
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory import services as inventory
from stockyard.inventory.models import StockLevel, Warehouse
from stockyard.inventory.services import Reference, StockLine
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import SupplierFactory
from stockyard.purchasing import services
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.models import PurchaseOrder
from stockyard.purchasing.selectors import reorder_suggestion_list
from stockyard.purchasing.tests.factories import make_purchase_order, on_order_from_the_documents

pytestmark = pytest.mark.django_db

D = Decimal


def suggested(**filters) -> dict[tuple[int, int], tuple[Decimal, Decimal, Decimal]]:
    """(product, warehouse) → (available, on_order, suggested_quantity)."""
    return {
        (s.product, s.warehouse): (s.available, s.on_order, s.suggested_quantity)
        for s in reorder_suggestion_list(**filters)
    }


def test_stock_at_or_under_the_reorder_point_is_suggested(warehouse):
    under, at, over = (ProductFactory(reorder_point=D(5), reorder_quantity=D(20)) for _ in range(3))
    put_stock(under, warehouse, 2)
    put_stock(at, warehouse, 5)
    put_stock(over, warehouse, 6)
    assert suggested() == {
        (under.pk, warehouse.pk): (D("2.000"), D("0.000"), D("20.000")),
        (at.pk, warehouse.pk): (D("5.000"), D("0.000"), D("20.000")),
    }


def test_suggestion_brings_stock_back_above_the_point_at_least_the_reorder_quantity(warehouse):
    big_gap = ProductFactory(reorder_point=D(100), reorder_quantity=D(10))
    put_stock(big_gap, warehouse, 30)
    [suggestion] = reorder_suggestion_list()
    assert suggestion.suggested_quantity == D(71)  # 30 + 71 = 101 > 100


def test_reserved_stock_is_not_available(warehouse):
    product = ProductFactory(reorder_point=D(5))
    put_stock(product, warehouse, 8)
    assert suggested() == {}
    inventory.stock_reserve(
        lines=[StockLine(product.pk, warehouse.pk, D(4))], reference=Reference("sales_order", 1)
    )
    assert suggested() == {(product.pk, warehouse.pk): (D(4), D(0), D(20))}


def test_unfinished_orders_count_as_on_order_and_remove_the_suggestion(warehouse):
    product = ProductFactory(reorder_point=D(10), reorder_quantity=D(20))
    put_stock(product, warehouse, 4)
    assert suggested() == {(product.pk, warehouse.pk): (D(4), D(0), D(20))}

    make_purchase_order([(product, 2)], warehouse=warehouse, status=Status.DRAFT)
    make_purchase_order([(product, 3)], warehouse=warehouse, status=Status.SUBMITTED)
    assert suggested() == {(product.pk, warehouse.pk): (D(4), D(5), D(20))}  # 9 <= 10

    make_purchase_order([(product, 10)], warehouse=warehouse, status=Status.PARTIALLY_RECEIVED)
    # One unit of the second order arrived: available 5, on order 5 + 9 = 14.
    assert suggested() == {}


@pytest.mark.parametrize(
    ("status", "arrived"),
    [(Status.CANCELLED, 0), (Status.CLOSED, 1), (Status.RECEIVED, 5)],
)
def test_finished_orders_are_not_on_order(warehouse, status, arrived):
    product = ProductFactory(reorder_point=D(10), reorder_quantity=D(20))
    put_stock(product, warehouse, 1)
    make_purchase_order([(product, 5)], warehouse=warehouse, status=status)
    assert suggested() == {(product.pk, warehouse.pk): (1 + arrived, D(0), D(20))}


def test_on_order_is_per_warehouse(warehouse):
    product = ProductFactory(reorder_point=D(10))
    elsewhere = WarehouseFactory()
    put_stock(product, warehouse, 1)
    put_stock(product, elsewhere, 1)
    make_purchase_order([(product, 50)], warehouse=elsewhere, status=Status.SUBMITTED)
    assert set(suggested()) == {(product.pk, warehouse.pk)}


def test_pairs_only_on_order_are_considered_too(warehouse):
    """Nothing has arrived yet (no stock level): available is 0, on order is what's coming."""
    product = ProductFactory(reorder_point=D(10), reorder_quantity=D(5))
    make_purchase_order([(product, 3), (product, 2)], warehouse=warehouse, status=Status.SUBMITTED)
    assert suggested() == {(product.pk, warehouse.pk): (D(0), D(5), D(6))}
    make_purchase_order([(product, 6)], warehouse=warehouse, status=Status.SUBMITTED)
    assert suggested() == {}


def test_inactive_products_and_warehouses_and_zero_points_are_ignored(warehouse):
    retired = ProductFactory(reorder_point=D(5))
    no_point = ProductFactory(reorder_point=D(0))
    closed_site = WarehouseFactory()
    tracked = ProductFactory(reorder_point=D(5))
    for product in (retired, no_point, tracked):
        put_stock(product, warehouse, 1)
    retired.is_active = False
    retired.save()
    put_stock(tracked, closed_site, 1)
    closed_site.is_active = False
    closed_site.save()
    assert set(suggested()) == {(tracked.pk, warehouse.pk)}


def test_filters_by_warehouse_product_and_supplier(warehouse):
    acme = SupplierFactory()
    first, second = ProductFactory(supplier=acme), ProductFactory()
    north = WarehouseFactory()
    for product in (first, second):
        for site in (warehouse, north):
            put_stock(product, site, 1)
    assert set(suggested(warehouse_id=north.pk)) == {(first.pk, north.pk), (second.pk, north.pk)}
    assert set(suggested(product_id=first.pk)) == {(first.pk, warehouse.pk), (first.pk, north.pk)}
    assert set(suggested(supplier_id=acme.pk)) == {(first.pk, warehouse.pk), (first.pk, north.pk)}
    sorted_keys = [(s.product_sku, s.warehouse_code) for s in reorder_suggestion_list()]
    assert sorted_keys == sorted(sorted_keys)


def test_a_fixed_number_of_queries_whatever_the_number_of_rows(
    warehouse, django_assert_max_num_queries
):
    for index in range(12):
        product = ProductFactory(reorder_point=D(10))
        if index % 2:
            put_stock(product, warehouse, 1)
        make_purchase_order([(product, 2)], warehouse=warehouse, status=Status.SUBMITTED)
    with django_assert_max_num_queries(1):
        assert len(reorder_suggestion_list()) == 12


def test_on_order_equals_the_documents_through_a_purchase_orders_life(warehouse):
    """After submit, partial receipts, close, cancel and a return to the supplier, every
    pair's on_order is what its open orders' lines have outstanding, and pairs of
    finished orders only have none."""
    products = [ProductFactory(reorder_point=D(10_000)) for _ in range(3)]
    north = WarehouseFactory()
    orders = [
        make_purchase_order([(products[0], 7), (products[1], 4)], warehouse=warehouse),
        make_purchase_order([(products[0], 5), (products[2], 9)], warehouse=warehouse),
        make_purchase_order([(products[1], 6), (products[2], 3)], warehouse=north),
        make_purchase_order([(products[2], 8)], warehouse=north),
    ]

    def check() -> None:
        expected = on_order_from_the_documents()
        shown = {pair: on_order for pair, (_, on_order, _) in suggested().items()}
        assert {pair: shown.get(pair, D(0)) for pair in expected} == expected
        assert all(shown[pair] == 0 for pair in set(shown) - set(expected))

    check()  # drafts count
    orders = [services.purchase_order_submit(order=order, user=None) for order in orders]
    check()
    first, second, third, _ = orders
    lines = {order.pk: list(order.lines.all()) for order in orders}
    services.purchase_order_receive(
        order=first, lines=[services.LineReceipt(lines[first.pk][0].pk, D(3))], user=None
    )
    services.purchase_order_receive(
        order=third,
        lines=[services.LineReceipt(line.pk, D(2)) for line in lines[third.pk]],
        user=None,
    )
    check()
    services.purchase_order_return(
        order=third, lines=[services.LineReceipt(lines[third.pk][0].pk, D(1))], user=None
    )
    check()
    services.purchase_order_close(order=PurchaseOrder.objects.get(pk=first.pk), user=None)
    services.purchase_order_cancel(order=second, user=None)
    check()
    services.purchase_order_receive(
        order=PurchaseOrder.objects.get(pk=third.pk),
        lines=[services.LineReceipt(line.pk, line.quantity - 2) for line in lines[third.pk]],
        user=None,
    )
    check()
    assert on_order_from_the_documents() == {(products[2].pk, north.pk): D(8)}  # fourth only


def suggestions_computed_plainly() -> dict[tuple[int, int], tuple[Decimal, Decimal, Decimal]]:
    """The rule of the module's docstring applied in Python to every product, warehouse,
    level and order line, with the products' own reorder points (not the levels'
    copies): (product, warehouse) → (available, on_order, suggested_quantity)."""
    on_order = on_order_from_the_documents()
    available = {
        (level.product_id, level.warehouse_id): level.on_hand - level.reserved
        for level in StockLevel.objects.all()
    }
    found = {}
    for product in Product.objects.filter(is_active=True, reorder_point__gt=0):
        for warehouse in Warehouse.objects.filter(is_active=True):
            pair = (product.pk, warehouse.pk)
            if pair not in available and pair not in on_order:
                continue
            expected = available.get(pair, D(0)) + on_order.get(pair, D(0))
            if expected <= product.reorder_point:
                shortfall = product.reorder_point - expected + 1
                found[pair] = (
                    available.get(pair, D(0)),
                    on_order.get(pair, D(0)),
                    max(product.reorder_quantity, shortfall),
                )
    return found


def test_suggestions_equal_the_rule_computed_plainly_through_changes(warehouse):
    """Levels low or not, with and without orders of every status, pairs only on order,
    inactive products and warehouses, and reorder points changed after the levels
    exist: the query's answer is the rule applied in Python, at every step."""
    north = WarehouseFactory()
    products = [
        ProductFactory(reorder_point=D(point), reorder_quantity=D(10)) for point in (5, 8, 12, 20)
    ]
    for index, product in enumerate(products):
        put_stock(product, warehouse, 3 + 4 * index)  # 3, 7, 11, 15
        put_stock(product, north, 6)
    only_ordered = ProductFactory(reorder_point=D(9))

    def check() -> None:
        assert suggested() == suggestions_computed_plainly()

    check()
    draft = make_purchase_order([(products[0], 4), (only_ordered, 5)], warehouse=warehouse)
    make_purchase_order([(products[1], 2)], warehouse=warehouse, status=Status.SUBMITTED)
    make_purchase_order(
        [(products[2], 3), (products[3], 2)], warehouse=north, status=Status.PARTIALLY_RECEIVED
    )
    make_purchase_order([(products[3], 40)], warehouse=warehouse, status=Status.RECEIVED)
    make_purchase_order([(products[1], 40)], warehouse=north, status=Status.CANCELLED)
    check()
    services.purchase_order_submit(order=draft, user=None)
    check()
    for product, point in ((products[0], 2), (products[2], 30), (only_ordered, 4)):
        catalog.product_update(product=product, reorder_point=D(point))
        check()
    catalog.product_update(product=products[1], is_active=False)
    north.is_active = False
    north.save()
    check()
    inventory.stock_reserve(
        lines=[StockLine(products[3].pk, warehouse.pk, D(20))],
        reference=Reference("sales_order", 1),
    )
    check()
    assert suggested()  # the cases above leave some suggestions to compare


def test_a_level_carries_its_products_reorder_point(warehouse):
    """Copied when the level is created and in the same transaction as a change."""
    product = ProductFactory(reorder_point=D(7))
    level = put_stock(product, warehouse, 1)
    assert level.reorder_point == D(7)
    catalog.product_update(product=product, reorder_point=D(11))
    north = WarehouseFactory()
    put_stock(product, north, 1)
    assert set(
        StockLevel.objects.filter(product=product).values_list("reorder_point", flat=True)
    ) == {D(11)}
    catalog.product_update(product=product, name="renamed")  # the point unchanged
    assert StockLevel.objects.get(product=product, warehouse=north).reorder_point == D(11)
