"""Numbers on purchase orders: limits from the columns, 4-place costs and rates, the
currency's minor unit, units of measure and exchange rates (over HTTP)."""

from datetime import date
from decimal import Decimal

import pytest

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ExchangeRateFactory, ProductFactory, UnitFactory
from stockyard.core.testing import assert_problem
from stockyard.inventory.models import StockLevel
from stockyard.inventory.tests.factories import WarehouseFactory
from stockyard.partners.tests.factories import SupplierFactory
from stockyard.purchasing.models import PurchaseOrder

pytestmark = pytest.mark.django_db

URL = "/api/v1/purchase-orders/"


@pytest.fixture
def buyer(client_for):
    return client_for(Role.PURCHASING)


@pytest.fixture
def supplier():
    return SupplierFactory(currency="USD")


@pytest.fixture
def warehouse():
    return WarehouseFactory()


def _create(client, supplier, warehouse, *lines, **fields):
    return client.post(
        URL,
        {"supplier": supplier.pk, "warehouse": warehouse.pk, "lines": list(lines), **fields},
        format="json",
    )


def test_a_line_too_large_to_store_is_a_400_at_its_quantity(buyer, supplier, warehouse):
    product = ProductFactory(cost=Decimal("10"))
    response = _create(
        buyer, supplier, warehouse, {"product": product.pk, "quantity": "999999999999"}
    )
    assert_problem(response, 400, "validation_error")
    assert "lines.0.quantity" in response.json()["errors"]
    assert not PurchaseOrder.objects.exists()


def test_lines_that_fit_but_whose_total_does_not_are_a_400_at_lines(buyer, supplier, warehouse):
    product = ProductFactory()
    line = {"product": product.pk, "quantity": "999999999", "unit_cost": "999.9999"}
    response = _create(buyer, supplier, warehouse, line, line)
    assert_problem(response, 400, "validation_error")
    assert list(response.json()["errors"]) == ["lines"]
    assert not PurchaseOrder.objects.exists()


def test_costs_and_tax_rates_take_four_places(buyer, supplier, warehouse):
    product = ProductFactory()
    response = _create(
        buyer,
        supplier,
        warehouse,
        {"product": product.pk, "quantity": "1000", "unit_cost": "0.8940", "tax_rate": "6.625"},
    )
    assert response.status_code == 201, response.json()
    [line] = response.json()["lines"]
    # 1000 x 0.894 = 894.00; 6.625 % of it = 59.2275 → 59.23
    assert (line["unit_cost"], line["tax_rate"]) == ("0.8940", "6.6250")
    assert (line["line_subtotal"], line["line_tax"], line["line_total"]) == (
        "894.00",
        "59.23",
        "953.23",
    )
    fifth_place = _create(
        buyer, supplier, warehouse, {"product": product.pk, "quantity": "1", "unit_cost": "0.89404"}
    )
    assert_problem(fifth_place, 400, "validation_error")


@pytest.mark.parametrize(
    ("currency", "amounts"),
    [("JPY", ("1000", "80", "1080")), ("KWD", ("1000.000", "80.000", "1080.000"))],
)
def test_amounts_have_the_minor_unit_of_the_order_currency(buyer, warehouse, currency, amounts):
    ExchangeRateFactory(base=currency, quote="USD", rate=Decimal("0.0067"))
    supplier = SupplierFactory(currency=currency)
    product = ProductFactory()
    response = _create(
        buyer,
        supplier,
        warehouse,
        {"product": product.pk, "quantity": "3", "unit_cost": "333.3333", "tax_rate": "8"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["currency"] == currency
    assert (body["subtotal"], body["tax_total"], body["total"]) == amounts


def test_a_product_cost_in_another_currency_is_converted_at_the_rate_of_the_order_date(
    buyer, warehouse
):
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.1"), valid_from=date(2026, 1, 1))
    ExchangeRateFactory(base="EUR", quote="USD", rate=Decimal("1.2"), valid_from=date(2026, 6, 1))
    supplier = SupplierFactory(currency="USD")
    product = ProductFactory(currency="EUR", cost=Decimal("10.00"))
    response = _create(
        buyer,
        supplier,
        warehouse,
        {"product": product.pk, "quantity": "2"},
        order_date="2026-03-15",
    )
    assert response.status_code == 201, response.json()
    [line] = response.json()["lines"]
    assert (line["unit_cost"], line["exchange_rate"], line["line_total"]) == (
        "11.0000",
        "1.1000000000",
        "22.00",
    )


def test_a_product_cost_with_no_rate_to_the_order_currency_is_a_400_at_unit_cost(
    buyer, warehouse, supplier
):
    product = ProductFactory(currency="CHF", cost=Decimal("10.00"))
    response = _create(buyer, supplier, warehouse, {"product": product.pk, "quantity": "2"})
    assert_problem(response, 400, "validation_error")
    assert "lines.0.unit_cost" in response.json()["errors"]


def test_an_order_in_a_currency_without_a_rate_to_the_default_is_a_400_at_currency(
    buyer, warehouse
):
    supplier = SupplierFactory(currency="SEK")
    product = ProductFactory()
    response = _create(
        buyer, supplier, warehouse, {"product": product.pk, "quantity": "1", "unit_cost": "5"}
    )
    assert_problem(response, 400, "validation_error")
    assert "currency" in response.json()["errors"]


def test_quantities_follow_the_products_unit(buyer, supplier, warehouse):
    pieces = ProductFactory(unit=UnitFactory(code="pcs", decimal_places=0))
    ordered = _create(
        buyer, supplier, warehouse, {"product": pieces.pk, "quantity": "2.5", "unit_cost": "1"}
    )
    assert_problem(ordered, 400, "validation_error")
    assert "lines.0.quantity" in ordered.json()["errors"]

    order = _create(
        buyer, supplier, warehouse, {"product": pieces.pk, "quantity": "5", "unit_cost": "1"}
    ).json()
    assert buyer.post(f"{URL}{order['id']}/submit/").status_code == 200
    line = order["lines"][0]["id"]
    received = buyer.post(
        f"{URL}{order['id']}/receive/",
        {"lines": [{"line": line, "quantity": "2.5"}]},
        format="json",
    )
    assert_problem(received, 400, "validation_error")
    assert "lines.0.quantity" in received.json()["errors"]
    assert not StockLevel.objects.filter(on_hand__gt=0).exists()
