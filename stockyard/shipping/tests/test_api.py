from decimal import Decimal

import pytest

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.sales.models import SalesOrder
from stockyard.sales.tests.factories import make_order
from stockyard.shipping import services
from stockyard.shipping.models import Shipment
from stockyard.shipping.services import ShipmentLineInput

pytestmark = pytest.mark.django_db

D = Decimal
URL = "/api/v1/shipments/"
PROBLEM = "application/problem+json"


def url(shipment, action: str = "") -> str:
    return f"{URL}{shipment.pk}/{action + '/' if action else ''}"


@pytest.fixture
def warehouse():
    return WarehouseFactory()


@pytest.fixture
def product(warehouse):
    product = ProductFactory()
    put_stock(product, warehouse, 10)
    return product


@pytest.fixture
def order(warehouse, product):
    return make_order((product, 5), warehouse=warehouse, confirm=True)


@pytest.fixture
def clerk(client_for):
    return client_for(Role.WAREHOUSE)


def line_of(order):
    return order.lines.get()


def pending(order, quantity="1") -> Shipment:
    return services.shipment_create(
        sales_order=order, lines=[ShipmentLineInput(line_of(order), D(quantity))], user=None
    )


def test_create_returns_the_pending_shipment(clerk, order):
    line = line_of(order)
    response = clerk.post(
        URL,
        {
            "sales_order": order.pk,
            "carrier": "UPS",
            "service": "ground",
            "tracking_number": "1Z999",
            "tracking_url": "https://track.example/1Z999",
            "packages": [{"weight_kg": "2.5", "length_cm": 40, "width_cm": 30, "height_cm": 20}],
            "lines": [{"sales_order_line": line.pk, "quantity": "2"}],
        },
    )
    assert response.status_code == 201, response.json()
    assert response["ETag"]
    shipment = Shipment.objects.get()
    data = response.json()
    assert data == {
        "id": shipment.pk,
        "number": f"SH-{shipment.pk:06d}",
        "sales_order": order.pk,
        "sales_order_number": order.number,
        "status": "pending",
        "carrier": "UPS",
        "service": "ground",
        "tracking_number": "1Z999",
        "tracking_url": "https://track.example/1Z999",
        "packages": [
            {
                "weight_kg": "2.500",
                "length_cm": "40.000",
                "width_cm": "30.000",
                "height_cm": "20.000",
            }
        ],
        "lines": [
            {
                "sales_order_line": line.pk,
                "product": line.product_id,
                "product_sku": line.product.sku,
                "quantity": "2.000",
            }
        ],
        "line_count": 1,
        "tracking_events": [],
        "shipped_at": None,
        "delivered_at": None,
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
    }


def test_lines_of_another_order_are_400(clerk, order, warehouse, product):
    other = make_order((product, 1), warehouse=warehouse, confirm=True)
    response = clerk.post(
        URL,
        {
            "sales_order": order.pk,
            "lines": [
                {"sales_order_line": line_of(order).pk, "quantity": "1"},
                {"sales_order_line": line_of(other).pk, "quantity": "1"},
            ],
        },
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert list(response.json()["errors"]) == ["lines.1.sales_order_line"]
    assert not Shipment.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [{"sales_order_line": "L", "quantity": "0"}]}, "lines.0.quantity"),
        ({"lines": [{"sales_order_line": 0, "quantity": "1"}]}, "lines.0.sales_order_line"),
        (
            {"packages": [{"weight_kg": "0", "length_cm": 1, "width_cm": 1, "height_cm": 1}]},
            "packages.0.weight_kg",
        ),
        ({"packages": [{"weight_kg": "1"}]}, "packages.0.height_cm"),
        ({"tracking_url": "not a url"}, "tracking_url"),
        ({"sales_order": None}, "sales_order"),
    ],
)
def test_bad_input_is_a_problem_with_dotted_paths(clerk, order, change, field):
    payload = {
        "sales_order": order.pk,
        "lines": [{"sales_order_line": line_of(order).pk, "quantity": "1"}],
    }
    for line in change.get("lines", []):
        if line.get("sales_order_line") == "L":
            line["sales_order_line"] = line_of(order).pk
    payload.update(change)
    response = clerk.post(URL, payload)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["errors"], response.json()


def test_over_shipment_is_409_conflict(clerk, order):
    pending(order, "4")
    response = clerk.post(
        URL,
        {
            "sales_order": order.pk,
            "lines": [{"sales_order_line": line_of(order).pk, "quantity": "2"}],
        },
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["errors"] == {
        "lines.0.quantity": [f"Only 1.000 left to ship on order line {line_of(order).pk}."]
    }


def test_a_draft_order_cannot_ship(clerk, product, warehouse):
    draft = make_order((product, 1), warehouse=warehouse)
    response = clerk.post(
        URL,
        {
            "sales_order": draft.pk,
            "lines": [{"sales_order_line": line_of(draft).pk, "quantity": "1"}],
        },
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_ship_deliver_and_track_over_http(clerk, order, product):
    shipment = pending(order, "5")
    response = clerk.post(url(shipment, "ship"))
    assert response.status_code == 200
    assert response.json()["status"] == "shipped"
    assert response.json()["shipped_at"]
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.reserved) == (D("5"), D("0"))
    assert SalesOrder.objects.get(pk=order.pk).status == "shipped"
    assert clerk.post(url(shipment, "cancel")).json()["code"] == "invalid_transition"

    response = clerk.post(
        url(shipment, "tracking-events"),
        {"status": "in_transit", "description": "Departed", "occurred_at": "2026-03-02T08:15:00Z"},
    )
    assert response.status_code == 201
    assert response.json()["location"] == ""
    bad = clerk.post(url(shipment, "tracking-events"), {"status": "x", "occurred_at": "soon"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"description", "occurred_at"}

    response = clerk.post(url(shipment, "deliver"))
    assert response.status_code == 200
    assert response.json()["status"] == "delivered"
    assert [e["status"] for e in response.json()["tracking_events"]] == ["in_transit"]
    assert SalesOrder.objects.get(pk=order.pk).status == "delivered"


def test_cancel_while_pending(clerk, order):
    shipment = pending(order)
    response = clerk.post(url(shipment, "cancel"))
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert clerk.post(url(shipment, "ship")).json()["code"] == "invalid_transition"


def test_patch_tracking_details_but_not_lines(clerk, order):
    shipment = pending(order)
    response = clerk.patch(url(shipment), {"carrier": "DHL", "tracking_number": "JD01"})
    assert response.status_code == 200
    assert (response.json()["carrier"], response.json()["tracking_number"]) == ("DHL", "JD01")
    response = clerk.patch(
        url(shipment), {"lines": [{"sales_order_line": line_of(order).pk, "quantity": "2"}]}
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["lines"]


def test_list_filters_and_fixed_queries(
    clerk, order, warehouse, product, django_assert_max_num_queries
):
    for _ in range(3):
        pending(order)
    other = make_order((product, 1), warehouse=warehouse, confirm=True)
    services.shipment_cancel(shipment=pending(other), user=None)
    with django_assert_max_num_queries(7):
        response = clerk.get(URL)
    assert response.json()["count"] == 4
    assert clerk.get(f"{URL}?status=cancelled").json()["count"] == 1
    assert clerk.get(f"{URL}?sales_order={order.pk}").json()["count"] == 3
    assert clerk.get(f"{URL}?search={other.number}").json()["count"] == 1


MATRIX = {
    Role.ADMIN: True,
    Role.MANAGER: True,
    Role.WAREHOUSE: True,
    Role.SALES: False,
    Role.PURCHASING: False,
    Role.VIEWER: False,
}


@pytest.mark.parametrize(("role", "may_write"), MATRIX.items())
def test_role_matrix(client_for, role, may_write, order):
    client = client_for(role)
    to_ship, to_cancel = pending(order), pending(order)
    assert client.get(URL).status_code == 200
    assert client.get(url(to_ship)).status_code == 200
    outcomes = [
        client.post(
            URL,
            {
                "sales_order": order.pk,
                "lines": [{"sales_order_line": line_of(order).pk, "quantity": "1"}],
            },
        ),
        client.patch(url(to_ship), {"carrier": "UPS"}),
        client.post(url(to_ship, "ship")),
        client.post(
            url(to_ship, "tracking-events"),
            {"status": "picked_up", "description": "", "occurred_at": "2026-01-01T00:00:00Z"},
        ),
        client.post(url(to_ship, "deliver")),
        client.post(url(to_cancel, "cancel")),
    ]
    expected = [201, 200, 200, 201, 200, 200] if may_write else [403] * 6
    assert [response.status_code for response in outcomes] == expected
