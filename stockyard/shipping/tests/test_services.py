from datetime import UTC, datetime
from decimal import Decimal

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.inventory.enums import MovementKind
from stockyard.inventory.models import StockLevel, StockMovement
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.sales import services as sales_services
from stockyard.sales.enums import SalesOrderStatus
from stockyard.sales.models import SalesOrder
from stockyard.sales.tests.factories import make_order
from stockyard.shipping import services
from stockyard.shipping.enums import ShipmentStatus as Status
from stockyard.shipping.models import Shipment
from stockyard.shipping.services import PackageInput, ShipmentLineInput

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def warehouse():
    return WarehouseFactory()


@pytest.fixture
def products(warehouse):
    first, second = ProductFactory(), ProductFactory()
    put_stock(first, warehouse, 10)
    put_stock(second, warehouse, 10)
    return first, second


@pytest.fixture
def order(warehouse, products):
    """Confirmed: 4 of the first product, 2 of the second."""
    return make_order((products[0], 4), (products[1], 2), warehouse=warehouse, confirm=True)


def lines_of(order) -> list:
    return list(order.lines.order_by("id"))


def ship(order, *quantities, **fields) -> Shipment:
    """A pending shipment of the order's lines, ``quantities`` in line order (0: skip)."""
    return services.shipment_create(
        sales_order=order,
        lines=[
            ShipmentLineInput(line, D(quantity))
            for line, quantity in zip(lines_of(order), quantities, strict=False)
            if quantity
        ],
        user=None,
        **fields,
    )


def level(product, warehouse) -> StockLevel:
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def order_status(order) -> str:
    return SalesOrder.objects.get(pk=order.pk).status


def test_create_a_pending_shipment_with_packages(order, emitted):
    shipment = ship(
        order,
        2,
        packages=[PackageInput(D("2.5"), D("40"), D("30"), D("20"))],
        carrier="UPS",
        tracking_number="1Z999",
    )
    assert shipment.status == Status.PENDING
    assert shipment.number == f"SH-{shipment.pk:06d}"
    assert [(line.sales_order_line_id, line.quantity) for line in shipment.lines.all()] == [
        (lines_of(order)[0].pk, D("2"))
    ]
    assert shipment.packages.get().weight_kg == D("2.5")
    assert order_status(order) == SalesOrderStatus.CONFIRMED
    assert emitted("shipment.created")[0]["data"]["number"] == shipment.number


def test_partial_then_complete_shipments_move_stock_and_the_order(
    order, warehouse, products, emitted
):
    first, second = products
    shipment = services.shipment_ship(shipment=ship(order, 3), user=None)
    assert shipment.status == Status.SHIPPED
    assert shipment.shipped_at is not None
    assert order_status(order) == SalesOrderStatus.PARTIALLY_SHIPPED
    stock = level(first, warehouse)
    assert (stock.on_hand, stock.reserved) == (D("7"), D("1"))
    movement = StockMovement.objects.get(reference_type="shipment", reference_id=shipment.pk)
    assert (movement.kind, movement.quantity) == (MovementKind.SHIPMENT, D("-3"))

    services.shipment_ship(shipment=ship(order, 1, 2), user=None)
    assert order_status(order) == SalesOrderStatus.SHIPPED
    assert [line.quantity_shipped for line in lines_of(order)] == [D("4"), D("2")]
    for product, on_hand in ((first, 6), (second, 8)):
        stock = level(product, warehouse)
        assert (stock.on_hand, stock.reserved) == (D(on_hand), D(0))
    shipped = emitted("shipment.shipped")
    assert [(e["data"]["sales_order"], e["data"]["status"]) for e in shipped] == [
        (order.pk, "shipped"),
        (order.pk, "shipped"),
    ]


def test_more_than_is_left_to_ship_is_refused(order):
    services.shipment_ship(shipment=ship(order, 3), user=None)
    ship(order, 0, 1)  # pending: holds 1 of the 2
    with pytest.raises(errors.Conflict) as refused:
        ship(order, 2, 2)  # 1 left on the first line, 1 on the second
    assert refused.value.code == "conflict"
    assert set(refused.value.errors) == {"lines.0.quantity", "lines.1.quantity"}
    assert Shipment.objects.count() == 2


def test_a_cancelled_shipment_frees_its_quantities(order, emitted):
    cancelled = services.shipment_cancel(shipment=ship(order, 4), user=None)
    assert emitted("shipment.cancelled")[0]["data"]["number"] == cancelled.number
    assert ship(order, 4).status == Status.PENDING


def test_lines_of_another_order_are_refused(order, warehouse, products):
    other = make_order((products[0], 1), warehouse=warehouse, confirm=True)
    with pytest.raises(errors.ValidationFailed) as refused:
        services.shipment_create(
            sales_order=order,
            lines=[
                ShipmentLineInput(lines_of(order)[0], D("1")),
                ShipmentLineInput(lines_of(other)[0], D("1")),
            ],
            user=None,
        )
    assert set(refused.value.errors) == {"lines.1.sales_order_line"}
    assert not Shipment.objects.exists()


def test_the_same_order_line_twice_is_refused(order):
    line = lines_of(order)[0]
    with pytest.raises(errors.ValidationFailed) as refused:
        services.shipment_create(
            sales_order=order,
            lines=[ShipmentLineInput(line, D("1")), ShipmentLineInput(line, D("1"))],
            user=None,
        )
    assert set(refused.value.errors) == {"lines.1.sales_order_line"}


@pytest.mark.parametrize("confirm", [False, True])
def test_only_confirmed_orders_ship(warehouse, products, confirm):
    order = make_order((products[0], 1), warehouse=warehouse, confirm=confirm)
    if confirm:
        sales_services.sales_order_cancel(order=order, user=None)
    with pytest.raises(errors.InvalidTransition):
        ship(order, 1)


def test_a_pending_shipment_of_a_cancelled_order_cannot_ship(order, warehouse, products):
    shipment = ship(order, 1)
    sales_services.sales_order_cancel(order=order, user=None)
    with pytest.raises(errors.InvalidTransition):
        services.shipment_ship(shipment=shipment, user=None)
    assert Shipment.objects.get().status == Status.PENDING
    assert level(products[0], warehouse).on_hand == 10


def test_the_order_is_delivered_when_fully_shipped_and_every_shipment_arrived(order, emitted):
    first = services.shipment_ship(shipment=ship(order, 4), user=None)
    services.shipment_cancel(shipment=ship(order, 0, 1), user=None)  # never counts
    first = services.shipment_deliver(shipment=first, user=None)
    assert first.status == Status.DELIVERED
    assert first.delivered_at is not None
    assert order_status(order) == SalesOrderStatus.PARTIALLY_SHIPPED  # line 2 not shipped

    second = services.shipment_ship(shipment=ship(order, 0, 2), user=None)
    assert order_status(order) == SalesOrderStatus.SHIPPED  # shipped, not all arrived
    services.shipment_deliver(shipment=second, user=None)
    assert order_status(order) == SalesOrderStatus.DELIVERED
    assert [e["data"]["number"] for e in emitted("sales_order.delivered")] == [order.number]
    assert len(emitted("shipment.delivered")) == 2


@pytest.mark.parametrize(
    ("transition", "allowed_from"),
    [
        ("shipment_ship", {Status.PENDING}),
        ("shipment_deliver", {Status.SHIPPED}),
        ("shipment_cancel", {Status.PENDING}),
    ],
)
def test_illegal_shipment_transitions_are_refused(order, transition, allowed_from):
    shipment = ship(order, 1)
    for status in set(Status) - allowed_from:
        Shipment.objects.filter(pk=shipment.pk).update(
            status=status, shipped_at=shipment.created_at, delivered_at=shipment.created_at
        )
        with pytest.raises(errors.InvalidTransition):
            getattr(services, transition)(shipment=shipment, user=None)
        assert Shipment.objects.get(pk=shipment.pk).status == status


def test_tracking_events_are_appended_and_emitted(order, emitted):
    shipment = services.shipment_ship(shipment=ship(order, 1), user=None)
    when = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
    services.shipment_add_tracking_event(
        shipment=shipment,
        status="in_transit",
        description="Departed facility",
        occurred_at=when,
        location="Louisville, KY",
        user=None,
    )
    assert [(e.status, e.occurred_at) for e in shipment.tracking_events.all()] == [
        ("in_transit", when)
    ]
    data = emitted("shipment.tracking_updated")[0]["data"]
    assert data["tracking_event"]["location"] == "Louisville, KY"
    assert data["status"] == "shipped"


def test_cancelled_shipments_take_no_tracking_or_changes(order):
    shipment = services.shipment_cancel(shipment=ship(order, 1), user=None)
    with pytest.raises(errors.InvalidTransition):
        services.shipment_add_tracking_event(
            shipment=shipment, status="x", description="", occurred_at=datetime.now(UTC), user=None
        )
    with pytest.raises(errors.InvalidTransition):
        services.shipment_update(shipment=shipment, user=None, carrier="DHL")


def test_packages_are_final_once_shipped(order):
    shipment = services.shipment_ship(shipment=ship(order, 1), user=None)
    shipment = services.shipment_update(shipment=shipment, user=None, tracking_number="T-1")
    assert shipment.tracking_number == "T-1"
    with pytest.raises(errors.InvalidTransition):
        services.shipment_update(
            shipment=shipment, user=None, packages=[PackageInput(D(1), D(1), D(1), D(1))]
        )


def test_the_shipping_address_is_final_once_something_shipped(order):
    services.shipment_ship(shipment=ship(order, 1), user=None)
    with pytest.raises(errors.InvalidTransition) as refused:
        sales_services.sales_order_update(order=order, user=None, shipping_address="Elsewhere")
    assert list(refused.value.errors) == ["shipping_address"]
    sales_services.sales_order_update(order=order, user=None, notes="left at the gate")
    assert SalesOrder.objects.get(pk=order.pk).notes == "left at the gate"
