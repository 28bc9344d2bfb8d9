"""Lists of documents stay light: each item shows its first LIST_DOCUMENT_LINES lines and
its ``line_count``, in a fixed number of queries; the detail shows every line."""

from decimal import Decimal

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.purchasing.tests.factories import make_purchase_order
from stockyard.sales import returns
from stockyard.sales.enums import ReturnDisposition
from stockyard.sales.returns import ReturnLineInput
from stockyard.sales.tests.factories import make_order
from stockyard.shipping import services as shipping
from stockyard.shipping.services import ShipmentLineInput

pytestmark = pytest.mark.django_db

LINES = 5  # per document
SHOWN = 2  # LIST_DOCUMENT_LINES in these tests


def shipped_order_documents(products, warehouse) -> None:
    """A sales order of LINES lines, shipped in one shipment, all of it returned."""
    order = make_order(*((product, 1) for product in products), warehouse=warehouse, confirm=True)
    order_lines = list(order.lines.all())
    shipment = shipping.shipment_create(
        sales_order=order,
        lines=[ShipmentLineInput(line, Decimal(1)) for line in order_lines],
        user=None,
    )
    shipping.shipment_ship(shipment=shipment, user=None)
    returns.customer_return_request(
        sales_order=order,
        lines=[
            ReturnLineInput(line, Decimal(1), ReturnDisposition.RESTOCK) for line in order_lines
        ],
        user=None,
    )


def add_documents(count: int) -> None:
    warehouse = WarehouseFactory.create()
    products = [ProductFactory.create() for _ in range(LINES)]
    for product in products:
        put_stock(product, warehouse, 10 * count)
    for _ in range(count):
        shipped_order_documents(products, warehouse)
        make_purchase_order([(product, 1) for product in products], warehouse=warehouse)


@pytest.fixture(autouse=True)
def _short_lists(settings):
    settings.LIST_DOCUMENT_LINES = SHOWN


PATHS = [
    "/api/v1/sales-orders/",
    "/api/v1/purchase-orders/",
    "/api/v1/shipments/",
    "/api/v1/returns/",
]


@pytest.mark.parametrize("path", PATHS)
def test_a_list_item_shows_the_first_lines_and_counts_all_the_detail_shows_all(admin_client, path):
    add_documents(2)
    items = admin_client.get(path).json()["results"]
    assert len(items) == 2
    for item in items:
        assert item["line_count"] == LINES
        assert len(item["lines"]) == SHOWN
        detail = admin_client.get(f"{path}{item['id']}/").json()
        assert detail["line_count"] == LINES
        assert detail["lines"][:SHOWN] == item["lines"]
        assert len(detail["lines"]) == LINES


# The user and their roles, the count, the documents (with their line counts), their
# lines; shipments also read their packages and their tracking events.
QUERIES = {
    "/api/v1/sales-orders/": 5,
    "/api/v1/purchase-orders/": 5,
    "/api/v1/shipments/": 7,
    "/api/v1/returns/": 5,
}


@pytest.mark.parametrize("documents", [1, 4])
@pytest.mark.parametrize("path", PATHS)
def test_a_list_runs_a_fixed_number_of_queries(
    admin_client, path, documents, django_assert_num_queries
):
    add_documents(documents)
    with django_assert_num_queries(QUERIES[path]):
        assert admin_client.get(path).json()["count"] == documents
