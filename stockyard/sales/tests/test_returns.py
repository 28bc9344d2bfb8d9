"""Customer returns (RMA): requested against shipped lines, received or cancelled."""

from decimal import Decimal

import pytest

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.inventory.enums import MovementKind
from stockyard.inventory.models import StockLevel, StockMovement
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.sales import returns
from stockyard.sales.enums import ReturnDisposition, ReturnStatus
from stockyard.sales.models import SalesOrderLine
from stockyard.sales.returns import ReturnLineInput
from stockyard.sales.services import OrderLineInput
from stockyard.sales.tests.factories import make_order, ship

pytestmark = pytest.mark.django_db

D = Decimal
RESTOCK, SCRAP = ReturnDisposition.RESTOCK, ReturnDisposition.SCRAP


@pytest.fixture
def warehouse():
    return WarehouseFactory()


@pytest.fixture
def product(warehouse):
    product = ProductFactory(price=D("10.00"))
    put_stock(product, warehouse, 10, unit_cost="4.00")
    return product


@pytest.fixture
def order(warehouse, product):
    """3 x 10.00 at 20 % tax (line_total 36.00, line_tax 6.00); all three shipped at 4.00."""
    order = make_order(
        OrderLineInput(product, D(3), tax_rate=D(20)), warehouse=warehouse, confirm=True
    )
    ship(order, 3)
    return order


def request(order, quantity, disposition=RESTOCK, **extra):
    return returns.customer_return_request(
        sales_order=order,
        lines=[ReturnLineInput(order.lines.get(), D(quantity), disposition)],
        user=None,
        **extra,
    )


def level(product, warehouse) -> tuple[Decimal, Decimal, Decimal]:
    found = StockLevel.objects.get(product=product, warehouse=warehouse)
    return found.on_hand, found.reserved, found.average_cost


def test_request_numbers_the_return_and_works_out_the_refund(order, emitted):
    rma = request(order, 2, reason="too big")
    assert rma.number == f"RMA-{rma.pk:06d}"
    assert rma.status == ReturnStatus.REQUESTED
    assert rma.refund_total == D("24.00")  # 2/3 of 36.00
    assert rma.warehouse_id == order.warehouse_id
    data = emitted("return.requested")[0]["data"]
    assert (data["number"], data["refund_total"], data["status"]) == (
        rma.number,
        "24.00",
        "requested",
    )


def test_receive_restocks_at_the_cost_the_goods_left_with(order, product, warehouse, emitted):
    put_stock(product, warehouse, 7, unit_cost="10.00")  # the average moves on meanwhile
    assert level(product, warehouse) == (D(14), D(0), D("7.0000"))  # 7 x 4 + 7 x 10

    rma = returns.customer_return_receive(customer_return=request(order, 2), user=None)

    assert rma.status == ReturnStatus.RECEIVED
    assert rma.received_at is not None
    movement = StockMovement.objects.get(kind=MovementKind.RETURN)
    assert (movement.quantity, movement.unit_cost) == (D(2), D("4.0000"))
    assert (movement.reference_type, movement.reference_id) == ("customer_return", rma.pk)
    assert level(product, warehouse) == (D(16), D(0), D("6.6250"))  # (98 + 8) / 16
    assert order.lines.get().quantity_returned == D(2)
    data = emitted("return.received")[0]["data"]
    assert data["refund_total"] == "24.00"
    assert data["lines"][0]["refund_amount"] == "24.00"


def test_the_shipped_unit_cost_rounds_half_up_like_every_unit_cost():
    line = SalesOrderLine(quantity_shipped=Decimal(2), shipped_cost=Decimal("0.0005"))
    assert line.shipped_unit_cost == Decimal("0.0003")  # 0.00025, half-up (not half-even)


def test_scrapped_goods_refund_but_do_not_come_back_into_stock(order, product, warehouse):
    rma = returns.customer_return_receive(customer_return=request(order, 1, SCRAP), user=None)
    assert rma.refund_total == D("12.00")
    assert not StockMovement.objects.filter(kind=MovementKind.RETURN).exists()
    assert level(product, warehouse)[0] == D(7)
    assert order.lines.get().quantity_returned == D(1)


def test_refunds_of_a_line_returned_piece_by_piece_add_up_to_its_total(warehouse, product):
    order = make_order(
        OrderLineInput(product, D(3), unit_price=D("0.05"), tax_rate=D(20)),
        warehouse=warehouse,
        confirm=True,
    )
    ship(order, 3)
    line = order.lines.get()
    refunds = [
        returns.customer_return_receive(customer_return=request(order, 1), user=None).refund_total
        for _ in range(3)
    ]
    assert sum(refunds) == line.line_total == D("0.18")


def test_returning_more_than_shipped_is_409_conflict(warehouse, product):
    order = make_order((product, 5), warehouse=warehouse, confirm=True)
    ship(order, 2)
    with pytest.raises(errors.Conflict) as caught:
        request(order, 3)
    assert caught.value.code == "conflict"
    assert list(caught.value.errors) == ["lines.0.quantity"]


def test_what_is_returned_or_claimed_cannot_come_back_twice(order):
    returns.customer_return_receive(customer_return=request(order, 1), user=None)
    claimed = request(order, 1)
    with pytest.raises(errors.Conflict) as caught:
        request(order, 2)
    assert caught.value.errors["lines.0.quantity"][0].startswith("Only 1.000 of order line")
    returns.customer_return_cancel(customer_return=claimed, user=None)
    request(order, 2)  # cancelled claims are free again


def test_nothing_shipped_nothing_to_return(warehouse, product):
    order = make_order((product, 1), warehouse=warehouse, confirm=True)
    with pytest.raises(errors.Conflict):
        request(order, 1)


def test_lines_of_another_order_are_refused(order, warehouse, product):
    other = make_order((product, 1), warehouse=warehouse, confirm=True)
    with pytest.raises(errors.ValidationFailed) as caught:
        returns.customer_return_request(
            sales_order=order,
            lines=[ReturnLineInput(other.lines.get(), D(1))],
            user=None,
        )
    assert list(caught.value.errors) == ["lines.0.sales_order_line"]


def test_restocking_into_another_warehouse(order, product):
    elsewhere = WarehouseFactory()
    returns.customer_return_receive(
        customer_return=request(order, 1, warehouse=elsewhere), user=None
    )
    assert level(product, elsewhere) == (D(1), D(0), D("4.0000"))


@pytest.mark.parametrize("first", ["receive", "cancel"])
def test_only_requested_returns_move_on(order, first, emitted):
    rma = request(order, 1)
    getattr(returns, f"customer_return_{first}")(customer_return=rma, user=None)
    for step in ("receive", "cancel"):
        with pytest.raises(errors.InvalidTransition):
            getattr(returns, f"customer_return_{step}")(customer_return=rma, user=None)
    assert len(emitted(f"return.{first}d" if first == "receive" else "return.cancelled")) == 1


# --- over HTTP --------------------------------------------------------------------------


def test_returns_over_http(client_for, order, product, warehouse):
    warehouse_clerk = client_for(Role.WAREHOUSE)
    line = order.lines.get()
    created = client_for(Role.SALES).post(
        "/api/v1/returns/",
        {
            "sales_order": order.pk,
            "reason": "One broken, one unwanted",
            "lines": [{"sales_order_line": line.pk, "quantity": "2"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"].startswith("RMA-")
    assert body["status"] == "requested"
    assert body["refund_total"] == "24.00"
    assert body["lines"][0]["disposition"] == "restock"
    assert body["warehouse"] == warehouse.pk

    received = warehouse_clerk.post(f"/api/v1/returns/{body['id']}/receive/")
    assert received.status_code == 200, received.content
    assert received.json()["status"] == "received"
    assert received.json()["lines"][0]["unit_cost"] == "4.0000"
    again = warehouse_clerk.post(f"/api/v1/returns/{body['id']}/cancel/")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    shown = client_for(Role.VIEWER).get(f"/api/v1/returns/{body['id']}/")
    assert shown.json()["received_at"] is not None


def test_over_returning_over_http_is_409_conflict(client_for, order):
    response = client_for(Role.SALES).post(
        "/api/v1/returns/",
        {
            "sales_order": order.pk,
            "lines": [{"sales_order_line": order.lines.get().pk, "quantity": "4"}],
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert list(response.json()["errors"]) == ["lines.0.quantity"]


@pytest.mark.parametrize("role", [Role.PURCHASING, Role.VIEWER])
def test_returns_are_sales_and_warehouse_work_not_others(client_for, order, role):
    response = client_for(role).post(
        "/api/v1/returns/",
        {
            "sales_order": order.pk,
            "lines": [{"sales_order_line": order.lines.get().pk, "quantity": "1"}],
        },
        format="json",
    )
    assert response.status_code == 403


def test_bad_input_is_400_with_dotted_paths(client_for, order):
    response = client_for(Role.SALES).post(
        "/api/v1/returns/",
        {
            "sales_order": order.pk,
            "lines": [
                {"sales_order_line": order.lines.get().pk, "quantity": "0", "disposition": "burn"}
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"lines.0.quantity", "lines.0.disposition"}


def test_list_runs_a_fixed_number_of_queries(client_for, order, django_assert_max_num_queries):
    for _ in range(3):
        request(order, 1)
    client = client_for(Role.VIEWER)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/returns/")
    assert response.json()["count"] == 3
