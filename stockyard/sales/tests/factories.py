"""Sales orders for tests, made through the real services."""

from decimal import Decimal
from typing import Any

from stockyard.catalog.models import Product
from stockyard.inventory.models import Warehouse
from stockyard.inventory.tests.factories import WarehouseFactory
from stockyard.partners.models import Customer
from stockyard.partners.tests.factories import CustomerFactory
from stockyard.sales import services
from stockyard.sales.models import SalesOrder
from stockyard.sales.services import OrderLineInput


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
