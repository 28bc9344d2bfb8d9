from decimal import Decimal

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.events.models import Event
from stockyard.inventory import services
from stockyard.inventory.enums import MovementKind
from stockyard.inventory.models import StockLevel, StockMovement
from stockyard.inventory.services import CountLine, Demand, ReceiptLine, Reference, StockLine
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock

pytestmark = pytest.mark.django_db

D = Decimal
ORDER = Reference("sales_order", 1)


@pytest.fixture
def product():
    return ProductFactory(reorder_point=D("5"))


@pytest.fixture
def warehouse():
    return WarehouseFactory()


def level(product, warehouse) -> StockLevel:
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def ledger_sum(product, warehouse) -> Decimal:
    return sum(
        (m.quantity for m in StockMovement.objects.filter(product=product, warehouse=warehouse)),
        D(0),
    )


def test_adjust_up_and_down_appends_movements_and_events(product, warehouse):
    put_stock(product, warehouse, 10, unit_cost="4.00")
    movement = services.stock_adjust(
        product=product, warehouse=warehouse, quantity=D("-3"), reason="damaged"
    )
    assert movement.kind == MovementKind.ADJUSTMENT
    assert movement.quantity == D("-3")
    assert movement.unit_cost == D("4.0000")
    stock = level(product, warehouse)
    assert stock.on_hand == D("7") == ledger_sum(product, warehouse)
    assert stock.average_cost == D("4.0000")
    changed = Event.objects.filter(type="stock.changed").last()
    assert changed.data == {
        "product": product.pk,
        "product_sku": product.sku,
        "warehouse": warehouse.pk,
        "warehouse_code": warehouse.code,
        "on_hand": "7.000",
        "reserved": "0.000",
        "available": "7.000",
    }


def test_adjust_below_zero_is_insufficient_stock_and_changes_nothing(product, warehouse):
    put_stock(product, warehouse, 2)
    with pytest.raises(errors.InsufficientStock) as caught:
        services.stock_adjust(product=product, warehouse=warehouse, quantity=D("-3"), reason="lost")
    assert product.sku in caught.value.detail and warehouse.code in caught.value.detail
    assert level(product, warehouse).on_hand == D("2")
    assert StockMovement.objects.count() == 1


def test_adjust_cannot_remove_reserved_stock(product, warehouse):
    put_stock(product, warehouse, 5)
    services.stock_reserve(lines=[StockLine(product.pk, warehouse.pk, D("4"))], reference=ORDER)
    with pytest.raises(errors.InsufficientStock):
        services.stock_adjust(product=product, warehouse=warehouse, quantity=D("-2"), reason="lost")


def test_receive_updates_the_moving_average_cost(product, warehouse):
    po = Reference("purchase_order", 7)
    services.stock_receive(
        lines=[ReceiptLine(product.pk, warehouse.pk, D("10"), D("4.00"))], reference=po
    )
    services.stock_receive(
        lines=[ReceiptLine(product.pk, warehouse.pk, D("10"), D("6.00"))], reference=po
    )
    stock = level(product, warehouse)
    assert stock.on_hand == D("20")
    assert stock.average_cost == D("5.0000")
    movements = StockMovement.objects.filter(kind=MovementKind.RECEIPT)
    assert [(m.reference_type, m.reference_id, m.unit_cost) for m in movements] == [
        ("purchase_order", 7, D("4.0000")),
        ("purchase_order", 7, D("6.0000")),
    ]


def test_transfer_moves_stock_and_cost(product, warehouse):
    other = WarehouseFactory()
    put_stock(product, warehouse, 10, unit_cost="3.00")
    transfer, movements = services.stock_transfer(
        product_id=product.pk,
        from_warehouse_id=warehouse.pk,
        to_warehouse_id=other.pk,
        quantity=D("4"),
    )
    assert [(m.kind, m.quantity) for m in movements] == [
        (MovementKind.TRANSFER_OUT, D("-4")),
        (MovementKind.TRANSFER_IN, D("4")),
    ]
    assert all(m.reference_id == transfer.pk for m in movements)
    assert level(product, warehouse).on_hand == D("6")
    assert level(product, other).on_hand == D("4")
    assert level(product, other).average_cost == D("3.0000")


def test_transfer_of_more_than_available_is_refused(product, warehouse):
    other = WarehouseFactory()
    put_stock(product, warehouse, 3)
    with pytest.raises(errors.InsufficientStock):
        services.stock_transfer(
            product_id=product.pk,
            from_warehouse_id=warehouse.pk,
            to_warehouse_id=other.pk,
            quantity=D("4"),
        )
    assert not StockLevel.objects.filter(warehouse=other, on_hand__gt=0).exists()


def test_transfer_to_the_same_warehouse_is_a_validation_error(product, warehouse):
    with pytest.raises(errors.ValidationFailed):
        services.stock_transfer(
            product_id=product.pk,
            from_warehouse_id=warehouse.pk,
            to_warehouse_id=warehouse.pk,
            quantity=D("1"),
        )


def test_count_posts_the_differences(product, warehouse):
    other_product = ProductFactory()
    put_stock(product, warehouse, 10)
    put_stock(other_product, warehouse, 4)
    count, movements = services.stock_count(
        warehouse_id=warehouse.pk,
        lines=[CountLine(product.pk, D("8")), CountLine(other_product.pk, D("4"))],
    )
    assert [(m.product_id, m.quantity, m.kind) for m in movements] == [
        (product.pk, D("-2"), MovementKind.COUNT)
    ]
    assert [line.difference for line in count.lines.all()] == [D("-2"), D("0")]
    assert level(product, warehouse).on_hand == D("8") == ledger_sum(product, warehouse)


def test_count_below_reserved_is_refused(product, warehouse):
    put_stock(product, warehouse, 10)
    services.stock_reserve(lines=[StockLine(product.pk, warehouse.pk, D("6"))], reference=ORDER)
    with pytest.raises(errors.InsufficientStock) as caught:
        services.stock_count(warehouse_id=warehouse.pk, lines=[CountLine(product.pk, D("5"))])
    assert "lines.0.counted_quantity" in caught.value.errors


def test_reserve_is_all_or_nothing_and_names_every_short_line(product, warehouse):
    second, third = ProductFactory(), ProductFactory()
    put_stock(product, warehouse, 5)
    put_stock(second, warehouse, 1)
    lines = [
        StockLine(product.pk, warehouse.pk, D("5")),
        StockLine(second.pk, warehouse.pk, D("2")),
        StockLine(third.pk, warehouse.pk, D("1")),
    ]
    with pytest.raises(errors.InsufficientStock) as caught:
        services.stock_reserve(lines=lines, reference=ORDER)
    assert set(caught.value.errors) == {"lines.1.quantity", "lines.2.quantity"}
    assert level(product, warehouse).reserved == 0


def test_reserve_counts_repeated_lines_together(product, warehouse):
    put_stock(product, warehouse, 3)
    lines = [
        StockLine(product.pk, warehouse.pk, D("2")),
        StockLine(product.pk, warehouse.pk, D("2")),
    ]
    with pytest.raises(errors.InsufficientStock):
        services.stock_reserve(lines=lines, reference=ORDER)


def test_reserve_release_and_issue(product, warehouse):
    put_stock(product, warehouse, 10)
    line = StockLine(product.pk, warehouse.pk, D("6"))
    services.stock_reserve(lines=[line], reference=ORDER)
    assert (level(product, warehouse).reserved, level(product, warehouse).available) == (
        D("6"),
        D("4"),
    )
    services.stock_release(lines=[Demand(product.pk, warehouse.pk, D("2"), 1)], reference=ORDER)
    movements = services.stock_issue(
        lines=[StockLine(product.pk, warehouse.pk, D("4"))], reference=ORDER
    )
    assert [(m.kind, m.quantity) for m in movements] == [(MovementKind.SHIPMENT, D("-4"))]
    stock = level(product, warehouse)
    assert (stock.on_hand, stock.reserved) == (D("6"), D("0"))
    assert stock.on_hand == ledger_sum(product, warehouse)


def test_issue_more_than_reserved_is_refused(product, warehouse):
    put_stock(product, warehouse, 10)
    with pytest.raises(errors.InsufficientStock):
        services.stock_issue(lines=[StockLine(product.pk, warehouse.pk, D("1"))], reference=ORDER)


def test_crossing_the_reorder_point_publishes_once(product, warehouse):
    put_stock(product, warehouse, 8)
    for _ in range(3):  # 8 → 7 → 6 → 5: crosses at 5
        services.stock_adjust(product=product, warehouse=warehouse, quantity=D("-1"), reason="x")
    services.stock_adjust(product=product, warehouse=warehouse, quantity=D("-1"), reason="x")
    below = Event.objects.filter(type="stock.below_reorder_point")
    assert below.count() == 1
    assert below.get().data["available"] == "5.000"


@pytest.mark.parametrize("count", [1, 4])
def test_a_posting_writes_its_levels_and_events_in_a_fixed_number_of_queries(
    warehouse, count, django_assert_max_num_queries
):
    products = [ProductFactory(reorder_point=D("5")) for _ in range(count)]
    for each in products:
        put_stock(each, warehouse, 8)
    written_before = {each.pk: level(each, warehouse).updated_at for each in products}
    seen = Event.objects.count()
    lines = [StockLine(each.pk, warehouse.pk, D("3")) for each in reversed(products)]
    # savepoint, lock the levels, write them all, record all events, release
    with django_assert_max_num_queries(5):
        services.stock_reserve(lines=lines, reference=ORDER)
    for each in products:
        stock = level(each, warehouse)
        assert (stock.on_hand, stock.reserved) == (D("8"), D("3"))
        assert stock.updated_at > written_before[each.pk]
    # Per level in key order: stock.changed, then the reorder point it has just reached.
    events = [event.as_message() for event in Event.objects.order_by("id")[seen:]]
    by_key = sorted(products, key=lambda each: each.pk)
    assert [(event["type"], event["data"]["product"]) for event in events] == [
        (type, each.pk)
        for each in by_key
        for type in ("stock.changed", "stock.below_reorder_point")
    ]
    assert events[0]["data"] == {
        "product": by_key[0].pk,
        "product_sku": by_key[0].sku,
        "warehouse": warehouse.pk,
        "warehouse_code": warehouse.code,
        "on_hand": "8.000",
        "reserved": "3.000",
        "available": "5.000",
    }


def test_movements_are_append_only(product, warehouse):
    put_stock(product, warehouse, 1)
    movement = StockMovement.objects.get()
    with pytest.raises(TypeError):
        movement.save()
    with pytest.raises(TypeError):
        movement.delete()
