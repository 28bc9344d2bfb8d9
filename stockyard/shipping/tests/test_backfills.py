"""``backfill_shipped_costs``: lines shipped before ``shipped_cost`` was recorded get it
from the ledger, once, so their returns restock at what the goods cost."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.sales import returns
from stockyard.sales.models import SalesOrderLine
from stockyard.sales.returns import ReturnLineInput
from stockyard.sales.tests.factories import make_order, ship

pytestmark = pytest.mark.django_db

D = Decimal


def _backfill() -> str:
    out = StringIO()
    call_command("backfill_shipped_costs", "--batch-size", "1", stdout=out)
    return out.getvalue()


def test_lines_shipped_before_the_release_get_their_ledger_cost_once():
    warehouse = WarehouseFactory()
    product = ProductFactory(cost=D("9.99"))  # not what the goods left at
    put_stock(product, warehouse, 10, unit_cost="4.25")
    order = make_order((product, 4), warehouse=warehouse, confirm=True)
    ship(order, 1)
    ship(order, 2)
    untouched = make_order((product, 1), warehouse=warehouse, confirm=True)  # not shipped
    SalesOrderLine.objects.update(shipped_cost=0)  # as the release before left them

    assert "Shipped costs set on 1 line(s)." in _backfill()
    line = order.lines.get()
    assert line.shipped_cost == D("12.75")  # 3 x 4.25, from the two shipments' movements
    assert untouched.lines.get().shipped_cost == 0
    assert "Shipped costs set on 0 line(s)." in _backfill()  # idempotent
    assert order.lines.get().shipped_cost == D("12.75")

    returns.customer_return_receive(
        customer_return=returns.customer_return_request(
            sales_order=order, lines=[ReturnLineInput(line, D(1))], user=None
        ),
        user=None,
    )
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert level.average_cost == D("4.25")  # restocked at what it left at, not 0
