"""Sales orders for tests, made through the real services."""

from decimal import Decimal
from typing import Any

from stockyard.catalog.models import Product
from stockyard.inventory.models import StockLevel, Warehouse
from stockyard.inventory.tests.factories import WarehouseFactory
from stockyard.partners.models import Customer
from stockyard.partners.tests.factories import CustomerFactory
from stockyard.sales import services
from stockyard.sales.models import SalesOrder
from stockyard.sales.services import OrderLineInput
from stockyard.shipping import services as shipping
from stockyard.shipping.services import ShipmentLineInput


def make_order(
    *lines: tuple[Product, Decimal | int | str] | OrderLineInput,
    customer: Customer | None = None,
    warehouse: Warehouse | None = None,
    confirm: bool = False,
    **fields: Any,
) -> SalesOrder:
    """A draft (or confirmed) order of ``(product, quantity)`` pairs or full line inputs."""
    order = services.sales_order_create(
        customer=customer or CustomerFactory.create(),
        warehouse=warehouse or WarehouseFactory.create(),
        lines=[
            line if isinstance(line, OrderLineInput) else OrderLineInput(line[0], Decimal(line[1]))
            for line in lines
        ],
        user=None,
        **fields,
    )
    if confirm:
        order = services.sales_order_confirm(order=order, user=None)
    return order


def ship(order: SalesOrder, quantity: Decimal | int | str) -> None:
    """Ship ``quantity`` of the order's only line, through the shipping services."""
    shipment = shipping.shipment_create(
        sales_order=order,
        lines=[ShipmentLineInput(order.lines.get(), Decimal(quantity))],
        user=None,
    )
    shipping.shipment_ship(shipment=shipment, user=None)


def stock(product: Product, warehouse: Warehouse) -> tuple[Decimal, Decimal]:
    """``(on_hand, reserved)`` of the product in the warehouse."""
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    return level.on_hand, level.reserved
