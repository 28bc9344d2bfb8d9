"""Sales orders in their customer's currency: converted product prices, amounts to the
currency's minor unit, credit checked in the customer's currency, and the business's
calendar for default order dates."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ExchangeRateFactory, ProductFactory, UnitFactory
from stockyard.core import errors
from stockyard.core.testing import assert_problem
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import CustomerFactory
from stockyard.sales import services
from stockyard.sales.models import SalesOrder
from stockyard.sales.services import OrderLineInput
from stockyard.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db

D = Decimal
URL = "/api/v1/sales-orders/"


@pytest.fixture
def sales(client_for):
    return client_for(Role.SALES)


@pytest.fixture
def rates():
    ExchangeRateFactory(base="EUR", quote="JPY", rate=D("162.5"), valid_from=date(2026, 1, 1))
    ExchangeRateFactory(base="JPY", quote="USD", rate=D("0.0067"), valid_from=date(2026, 1, 1))
    ExchangeRateFactory(base="EUR", quote="USD", rate=D("1.09"), valid_from=date(2026, 1, 1))


def test_a_product_priced_in_euros_is_converted_onto_a_yen_order(sales, rates):
    customer = CustomerFactory(currency="JPY")
    warehouse = WarehouseFactory()
    tea = ProductFactory(currency="EUR", price=D("12.3456"))
    response = sales.post(
        URL,
        {
            "customer": customer.pk,
            "warehouse": warehouse.pk,
            "order_date": "2026-11-02",
            "lines": [{"product": tea.pk, "quantity": "3", "tax_rate": "10"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    [line] = body["lines"]
    # 12.3456 EUR x 162.5 = 2006.16 JPY a unit; 3 of them = 6018.48 → 6018 yen; tax 601.8 → 602
    assert (line["unit_price"], line["exchange_rate"]) == ("2006.1600", "162.5000000000")
    assert (line["line_subtotal"], line["line_tax"], line["line_total"]) == ("6018", "602", "6620")
    assert (body["currency"], body["total"], body["exchange_rate"]) == (
        "JPY",
        "6620",
        "0.0067000000",
    )


def test_no_rate_for_a_products_currency_is_a_400_at_the_lines_unit_price(sales):
    customer = CustomerFactory(currency="USD")
    swiss = ProductFactory(currency="CHF")
    response = sales.post(
        URL,
        {
            "customer": customer.pk,
            "warehouse": WarehouseFactory().pk,
            "lines": [{"product": swiss.pk, "quantity": "1"}],
        },
        format="json",
    )
    assert_problem(response, 400, "validation_error")
    assert list(response.json()["errors"]) == ["lines.0.unit_price"]
    # An explicit price in the order's currency needs no rate.
    response = sales.post(
        URL,
        {
            "customer": customer.pk,
            "warehouse": WarehouseFactory().pk,
            "lines": [{"product": swiss.pk, "quantity": "1", "unit_price": "4.5"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_amounts_too_large_for_their_columns_are_a_400_not_a_500(sales):
    customer = CustomerFactory()
    product = ProductFactory()
    response = sales.post(
        URL,
        {
            "customer": customer.pk,
            "warehouse": WarehouseFactory().pk,
            "lines": [
                {"product": product.pk, "quantity": "999999999", "unit_price": "999.9999"},
                {"product": product.pk, "quantity": "999999999", "unit_price": "999.9999"},
            ],
        },
        format="json",
    )
    assert_problem(response, 400, "validation_error")
    assert list(response.json()["errors"]) == ["lines"]
    assert not SalesOrder.objects.exists()


def test_a_yen_order_is_checked_against_a_euro_credit_limit_in_euros(rates):
    customer = CustomerFactory(currency="EUR", credit_limit=D("100.00"))
    warehouse = WarehouseFactory()
    product = ProductFactory(currency="JPY", price=D("10000"))
    put_stock(product, warehouse, 10)
    with time_machine.travel(datetime(2026, 11, 2, 3, tzinfo=UTC), tick=False):
        # 10,000 JPY is 67 USD, 61.47 EUR: within the limit, not 10,000 "EUR".
        make_order(
            (product, 1), customer=customer, warehouse=warehouse, currency="JPY", confirm=True
        )
        second = make_order((product, 1), customer=customer, warehouse=warehouse, currency="JPY")
        with pytest.raises(errors.Conflict) as refused:  # 122.94 EUR open would exceed 100
            services.sales_order_confirm(order=second, user=None)
    assert refused.value.errors == {"customer": ["Credit limit exceeded."]}
    assert "EUR" in refused.value.detail


def test_pieces_are_not_sold_in_fractions(sales):
    pieces = ProductFactory(unit=UnitFactory(code="pcs", decimal_places=0))
    response = sales.post(
        URL,
        {
            "customer": CustomerFactory().pk,
            "warehouse": WarehouseFactory().pk,
            "lines": [{"product": pieces.pk, "quantity": "0.333"}],
        },
        format="json",
    )
    assert_problem(response, 400, "validation_error")
    assert list(response.json()["errors"]) == ["lines.0.quantity"]


def test_the_default_order_date_is_today_in_the_business_time_zone(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    product = ProductFactory()
    # 07:53 in Tokyo on 3 November is still 2 November in UTC.
    with time_machine.travel(datetime(2026, 11, 2, 22, 53, tzinfo=UTC), tick=False):
        order = make_order(OrderLineInput(product, D(1)))
    assert order.order_date == date(2026, 11, 3)


def test_timestamps_stay_utc_whatever_the_business_time_zone(settings, sales):
    settings.TIME_ZONE = "Asia/Tokyo"
    order = make_order(OrderLineInput(ProductFactory(), D(1)))
    body = sales.get(f"{URL}{order.pk}/").json()
    assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")
