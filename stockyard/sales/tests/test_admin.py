from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.sales import returns
from stockyard.sales.enums import ReturnStatus
from stockyard.sales.enums import SalesOrderStatus as Status
from stockyard.sales.models import SalesOrder
from stockyard.sales.returns import ReturnLineInput
from stockyard.sales.tests.factories import make_order, ship

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(client, make_user):
    """A browser session in the Django admin, as an administrator."""
    client.force_login(make_user(Role.ADMIN))
    return client


CHANGELIST = "/admin/sales/salesorder/"


def test_orders_are_shown_read_only_with_their_lines(site):
    order = make_order((ProductFactory(sku="WIDGET-9"), 2))
    assert site.get(CHANGELIST).status_code == 200
    page = site.get(f"{CHANGELIST}{order.pk}/change/")
    assert page.status_code == 200
    assert b"WIDGET-9" in page.content
    assert site.get(f"{CHANGELIST}add/").status_code == 403


def test_confirm_action_calls_the_service_and_reports_refusals(site):
    product, warehouse = ProductFactory(), WarehouseFactory()
    put_stock(product, warehouse, 3)
    fits = make_order((product, 3), warehouse=warehouse)
    short = make_order((product, 1), warehouse=warehouse)

    response = site.post(CHANGELIST, {"action": "confirm", "_selected_action": [fits.pk, short.pk]})

    assert response.status_code == 302
    statuses = dict(SalesOrder.objects.values_list("pk", "status"))
    assert statuses == {fits.pk: Status.CONFIRMED, short.pk: Status.DRAFT}
    assert StockLevel.objects.get(product=product).reserved == 3
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(text.startswith(f"{short.number}: ") for text in texts)
    assert "Confirm (reserve stock): 1 done." in texts


def test_close_action_and_returns_in_the_admin(site):
    product, warehouse = ProductFactory(sku="WIDGET-7"), WarehouseFactory()
    put_stock(product, warehouse, 10)
    order = make_order((product, 10), warehouse=warehouse, confirm=True)
    ship(order, 4)

    site.post(CHANGELIST, {"action": "close", "_selected_action": [order.pk]})

    order.refresh_from_db()
    assert order.status == Status.CLOSED
    rma = returns.customer_return_request(
        sales_order=order, lines=[ReturnLineInput(order.lines.get(), Decimal(1))], user=None
    )
    returns_list = "/admin/sales/customerreturn/"
    assert site.get(f"{returns_list}{rma.pk}/change/").status_code == 200
    site.post(returns_list, {"action": "receive", "_selected_action": [rma.pk]})
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.RECEIVED
