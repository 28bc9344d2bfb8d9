"""Real parallel requests against PostgreSQL: confirmations never oversell, never deadlock."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.core.testing import run_concurrently
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import CustomerFactory
from stockyard.sales import services
from stockyard.sales.enums import SalesOrderStatus as Status
from stockyard.sales.models import SalesOrder
from stockyard.sales.services import OrderLineInput
from stockyard.sales.tests.factories import make_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal


@pytest.fixture
def bearer(make_user) -> str:
    return f"Bearer {RefreshToken.for_user(make_user(Role.SALES)).access_token}"


def post(bearer: str, path: str, data: dict | None = None):
    """A request from a client of this thread's own."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer)
    return client.post(path, data, format="json")


def test_twenty_five_confirmations_against_ten_in_stock(bearer):
    product, warehouse = ProductFactory(), WarehouseFactory()
    put_stock(product, warehouse, 10)
    orders = [make_order((product, 1), warehouse=warehouse) for _ in range(25)]

    responses = run_concurrently(
        lambda index: post(bearer, f"/api/v1/sales-orders/{orders[index].pk}/confirm/"), 25
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 10 + [409] * 15
    refused = [r.json() for r in responses if r.status_code == 409]
    assert {problem["code"] for problem in refused} == {"insufficient_stock"}
    assert all(list(problem["errors"]) == ["lines.0.quantity"] for problem in refused)
    assert SalesOrder.objects.filter(status=Status.CONFIRMED).count() == 10
    assert SalesOrder.objects.filter(status=Status.DRAFT).count() == 15
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert (level.on_hand, level.reserved) == (D(10), D(10))


def test_thirty_crossing_two_line_confirmations_never_deadlock(bearer):
    first, second = ProductFactory(), ProductFactory()
    warehouse = WarehouseFactory()
    put_stock(first, warehouse, 100)
    put_stock(second, warehouse, 100)
    orders = [
        make_order(
            *[(p, 2) for p in ((first, second) if i % 2 else (second, first))], warehouse=warehouse
        )
        for i in range(30)
    ]

    responses = run_concurrently(
        lambda index: post(bearer, f"/api/v1/sales-orders/{orders[index].pk}/confirm/"), 30
    )

    assert [response.status_code for response in responses] == [200] * 30
    for product in (first, second):
        assert StockLevel.objects.get(product=product, warehouse=warehouse).reserved == 60


def test_concurrent_creations_get_distinct_numbers(bearer):
    product, warehouse, customer = ProductFactory(), WarehouseFactory(), CustomerFactory()
    body = {
        "customer": customer.pk,
        "warehouse": warehouse.pk,
        "lines": [{"product": product.pk, "quantity": "1"}],
    }

    responses = run_concurrently(lambda _: post(bearer, "/api/v1/sales-orders/", body), 20)

    assert [response.status_code for response in responses] == [201] * 20
    numbers = {response.json()["number"] for response in responses}
    assert len(numbers) == 20
    assert numbers == {f"SO-{pk:06d}" for pk in SalesOrder.objects.values_list("pk", flat=True)}


def test_concurrent_confirmations_never_exceed_the_credit_limit():
    product, warehouse = ProductFactory(price=D("10.00")), WarehouseFactory()
    put_stock(product, warehouse, 100)
    customer = CustomerFactory(credit_limit=D("30.00"))
    orders = [
        make_order(OrderLineInput(product, D(1)), customer=customer, warehouse=warehouse)
        for _ in range(8)
    ]

    outcomes = run_concurrently(
        lambda index: services.sales_order_confirm(order=orders[index], user=None), 8
    )

    refused = [o for o in outcomes if isinstance(o, errors.ApplicationError)]
    assert len(refused) == 5
    assert {error.code for error in refused} == {"conflict"}
    assert not [o for o in outcomes if isinstance(o, Exception) and o not in refused]
    assert StockLevel.objects.get(product=product, warehouse=warehouse).reserved == 3
