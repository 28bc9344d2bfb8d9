from decimal import Decimal

import pytest

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.sales.models import SalesOrder
from stockyard.sales.tests.factories import make_order
from stockyard.shipping import services
from stockyard.shipping.enums import ShipmentStatus as Status
from stockyard.shipping.models import Shipment
from stockyard.shipping.services import ShipmentLineInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(client, make_user):
    """A browser session in the Django admin, as an administrator."""
    client.force_login(make_user(Role.ADMIN))
    return client


CHANGELIST = "/admin/shipping/shipment/"


@pytest.fixture
def shipment():
    product, warehouse = ProductFactory(), WarehouseFactory()
    put_stock(product, warehouse, 5)
    order = make_order((product, 2), warehouse=warehouse, confirm=True)
    return services.shipment_create(
        sales_order=order, lines=[ShipmentLineInput(order.lines.get(), Decimal(2))], user=None
    )


def test_shipments_are_shown_with_lines_packages_and_tracking(site, shipment):
    assert site.get(CHANGELIST).status_code == 200
    assert site.get(f"{CHANGELIST}{shipment.pk}/change/").status_code == 200


def test_ship_then_deliver_actions_call_the_services(site, shipment):
    for action, status in (("ship", Status.SHIPPED), ("deliver", Status.DELIVERED)):
        response = site.post(CHANGELIST, {"action": action, "_selected_action": [shipment.pk]})
        assert response.status_code == 302
        assert Shipment.objects.get().status == status
    assert SalesOrder.objects.get().status == "delivered"
