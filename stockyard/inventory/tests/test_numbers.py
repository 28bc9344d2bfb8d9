"""Numbers in the stock ledger: on_hand limits, units of measure on every quantity, and
one costing rule and one active-product rule for every incoming movement."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory, UnitFactory
from stockyard.catalog.units import unit_quantity_problems
from stockyard.core.decimals import rounded
from stockyard.core.testing import assert_problem
from stockyard.inventory.models import StockLevel, StockMovement
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def clerk(client_for):
    return client_for(Role.WAREHOUSE)


@pytest.fixture
def warehouse():
    return WarehouseFactory()


@pytest.fixture
def pieces():
    return ProductFactory(unit=UnitFactory(code="pcs", decimal_places=0), cost=D("2.50"))


def _adjust(client, product, warehouse, quantity):
    return client.post(
        "/api/v1/stock-adjustments/",
        {"product": product.pk, "warehouse": warehouse.pk, "quantity": quantity, "reason": "x"},
        format="json",
    )


def test_a_second_huge_adjustment_is_a_400_at_quantity_not_a_500(clerk, warehouse):
    product = ProductFactory()
    assert _adjust(clerk, product, warehouse, "999999999999").status_code == 201
    response = _adjust(clerk, product, warehouse, "999999999999")
    assert_problem(response, 400, "validation_error")
    assert list(response.json()["errors"]) == ["quantity"]
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert level.on_hand == D("999999999999")
    assert StockMovement.objects.filter(product=product).count() == 1


def test_a_transfer_that_would_overflow_the_target_is_a_400(clerk, warehouse):
    product = ProductFactory()
    other = WarehouseFactory()
    put_stock(product, warehouse, "999999999999")
    put_stock(product, other, "1")
    response = clerk.post(
        "/api/v1/stock-transfers/",
        {
            "product": product.pk,
            "from_warehouse": other.pk,
            "to_warehouse": warehouse.pk,
            "quantity": "1",
        },
        format="json",
    )
    assert_problem(response, 400, "validation_error")
    assert "quantity" in response.json()["errors"]


def test_countable_goods_are_not_adjusted_transferred_or_counted_in_fractions(
    clerk, warehouse, pieces
):
    put_stock(pieces, warehouse, 10)
    adjusted = _adjust(clerk, pieces, warehouse, "2.5")
    assert_problem(adjusted, 400, "validation_error")
    assert "quantity" in adjusted.json()["errors"]

    transferred = clerk.post(
        "/api/v1/stock-transfers/",
        {
            "product": pieces.pk,
            "from_warehouse": warehouse.pk,
            "to_warehouse": WarehouseFactory().pk,
            "quantity": "0.5",
        },
        format="json",
    )
    assert_problem(transferred, 400, "validation_error")
    assert "quantity" in transferred.json()["errors"]

    counted = clerk.post(
        "/api/v1/stock-counts/",
        {"warehouse": warehouse.pk, "lines": [{"product": pieces.pk, "counted_quantity": "9.5"}]},
        format="json",
    )
    assert_problem(counted, 400, "validation_error")
    assert "lines.0.counted_quantity" in counted.json()["errors"]
    assert StockLevel.objects.get(product=pieces, warehouse=warehouse).on_hand == 10


def test_weighed_goods_move_by_the_gram(clerk, warehouse):
    flour = ProductFactory(unit=UnitFactory(code="kg", decimal_places=3))
    assert _adjust(clerk, flour, warehouse, "2.125").status_code == 201
    assert_problem(_adjust(clerk, flour, warehouse, "0.0005"), 400, "validation_error")


def test_stock_found_by_a_count_is_valued_like_an_adjustment(clerk, warehouse, pieces):
    never_received = pieces
    response = clerk.post(
        "/api/v1/stock-counts/",
        {
            "warehouse": warehouse.pk,
            "lines": [{"product": never_received.pk, "counted_quantity": "4"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    movement = StockMovement.objects.get(product=never_received, kind="count")
    assert movement.unit_cost == D("2.5")  # the product's cost, not 0
    level = StockLevel.objects.get(product=never_received, warehouse=warehouse)
    assert level.average_cost == D("2.5")
    valuation = clerk.get("/api/v1/stock-levels/", {"product": never_received.pk}).json()
    assert valuation["results"][0]["value"] == "10.00"


def test_counts_and_adjustments_share_one_rule_for_inactive_products(clerk, warehouse, pieces):
    put_stock(pieces, warehouse, 5)
    pieces.is_active = False
    pieces.save()
    count_more = clerk.post(
        "/api/v1/stock-counts/",
        {"warehouse": warehouse.pk, "lines": [{"product": pieces.pk, "counted_quantity": "6"}]},
        format="json",
    )
    assert_problem(count_more, 400, "validation_error")
    assert "lines.0.product" in count_more.json()["errors"]
    assert_problem(_adjust(clerk, pieces, warehouse, "1"), 400, "validation_error")
    # Clearing out a discontinued product's stock is allowed either way.
    assert _adjust(clerk, pieces, warehouse, "-1").status_code == 201
    count_less = clerk.post(
        "/api/v1/stock-counts/",
        {"warehouse": warehouse.pk, "lines": [{"product": pieces.pk, "counted_quantity": "0"}]},
        format="json",
    )
    assert count_less.status_code == 201, count_less.json()


class TestUnitRounding(TestCase):
    """Hypothesis, on the database: a quantity passes its unit exactly when rounding it
    to the unit's places changes nothing."""

    @given(
        places=st.integers(min_value=0, max_value=3),
        quantity=st.decimals(min_value=D("0.001"), max_value=D("1000000"), places=3),
    )
    def test_a_quantity_fits_its_unit_iff_rounding_to_its_places_keeps_it(self, places, quantity):
        unit = UnitFactory(code=f"u{places}", decimal_places=places)
        product = ProductFactory.build(unit=unit, sku="ANY")
        problems = unit_quantity_problems([("quantity", product, quantity)])
        assert (problems == {}) == (rounded(quantity, places) == quantity)


def test_only_quantities_with_decimals_read_their_units(pieces, django_assert_num_queries):
    with django_assert_num_queries(0):  # a whole quantity fits every unit
        assert unit_quantity_problems([("a", pieces, D("4")), ("b", pieces, D("-2.000"))]) == {}
    with django_assert_num_queries(1):
        problems = unit_quantity_problems([("a", pieces, D("4")), ("b", pieces, D("2.5"))])
    assert list(problems) == ["b"]


@pytest.mark.parametrize(
    "case", [("JPY", "123.45", "123"), ("KWD", "0.1235", "0.124"), ("USD", "0.125", "0.13")]
)
def test_stock_values_are_shown_to_the_minor_unit_of_the_default_currency(
    clerk, warehouse, settings, case
):
    currency, unit_cost, value = case
    settings.DEFAULT_CURRENCY = currency  # stock is valued in it
    level = put_stock(ProductFactory(), warehouse, 1, unit_cost=unit_cost)
    shown = clerk.get("/api/v1/stock-levels/", {"product": level.product_id}).json()
    assert shown["results"][0]["value"] == value  # half-up, ISO 4217 places
