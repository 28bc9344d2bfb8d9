"""Business history for report tests, made through the real services at chosen times."""

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import time_machine

from stockyard.catalog.models import Product
from stockyard.core.decimals import quantity
from stockyard.inventory.models import Warehouse
from stockyard.partners.models import Customer
from stockyard.purchasing.enums import PurchaseOrderStatus
from stockyard.purchasing.models import PurchaseOrder
from stockyard.purchasing.tests.factories import make_purchase_order
from stockyard.sales.models import SalesOrder
from stockyard.sales.services import OrderLineInput
from stockyard.sales.tests.factories import make_order
from stockyard.shipping import services as shipping
from stockyard.shipping.models import Shipment
from stockyard.shipping.services import ShipmentLineInput


def report_body(client: Any, name: str, **params: object) -> Any:
    """``GET /reports/<name>/`` with ``params``: the JSON of a 200."""
    response = client.get(f"/api/v1/reports/{name}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def sold(
    when: datetime,
    *lines: OrderLineInput,
    customer: Customer,
    warehouse: Warehouse,
    currency: str | None = None,
) -> SalesOrder:
    """An order confirmed at ``when`` (stock must be there)."""
    with time_machine.travel(when, tick=False):
        return make_order(
            *lines, customer=customer, warehouse=warehouse, confirm=True, currency=currency
        )


def shipped(order: SalesOrder, when: datetime, *, share: Decimal = Decimal(1)) -> Shipment:
    """``share`` of every line of ``order`` (all of it by default) shipped at ``when``."""
    with time_machine.travel(when, tick=False):
        shipment = shipping.shipment_create(
            sales_order=order,
            lines=[
                ShipmentLineInput(line, quantity(line.quantity * share))
                for line in order.lines.all()
            ],
            user=None,
        )
        return shipping.shipment_ship(shipment=shipment, user=None)


def bought(
    when: datetime,
    lines: Sequence[tuple[Product, int | str, str]],
    status: PurchaseOrderStatus,
    **kwargs: object,
) -> PurchaseOrder:
    """A purchase order dated ``when``, walked to ``status``."""
    with time_machine.travel(when, tick=False):
        return make_purchase_order(lines, status=status, **kwargs)  # type: ignore[arg-type]


def line(product: Product, quantity: int | str, price: str, **extra: str) -> OrderLineInput:
    return OrderLineInput(
        product,
        Decimal(quantity),
        unit_price=Decimal(price),
        **{name: Decimal(value) for name, value in extra.items()},
    )
