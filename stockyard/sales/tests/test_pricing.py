from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stockyard.sales.pricing import LineAmounts, OrderAmounts, price_line, price_order

D = Decimal
CENT = D("0.01")


@pytest.mark.parametrize(
    ("quantity", "unit_price", "discount", "tax", "expected"),
    [
        # quantity x price, no discount or tax
        ("3", "19.99", "0", "0", ("59.97", "0.00", "0.00", "59.97")),
        # fractional quantity: 1.5 x 9.99 = 14.985 → 14.99 (half up)
        ("1.5", "9.99", "0", "0", ("14.99", "0.00", "0.00", "14.99")),
        # 50 % of 0.05 = 0.025 → 0.03 (half up, not banker's 0.02)
        ("1", "0.05", "50", "0", ("0.05", "0.03", "0.00", "0.02")),
        # tax on the discounted amount: 100 - 10 = 90, 20 % tax = 18
        ("2", "50.00", "10", "20", ("100.00", "10.00", "18.00", "108.00")),
        # tax rounding: 0.05 x 10 % = 0.005 → 0.01
        ("1", "0.05", "0", "10", ("0.05", "0.00", "0.01", "0.06")),
        # 33.33 % off 10.00 = 3.333 → 3.33; tax 7.25 % of 6.67 = 0.483575 → 0.48
        ("1", "10.00", "33.33", "7.25", ("10.00", "3.33", "0.48", "7.15")),
        # quantity with 3 places: 0.333 x 3.00 = 0.999 → 1.00
        ("0.333", "3.00", "0", "0", ("1.00", "0.00", "0.00", "1.00")),
        # 100 % discount leaves nothing to tax
        ("4", "2.50", "100", "19", ("10.00", "10.00", "0.00", "0.00")),
        # free goods
        ("5", "0", "0", "20", ("0.00", "0.00", "0.00", "0.00")),
    ],
)
def test_line_amounts(quantity, unit_price, discount, tax, expected):
    amounts = price_line(
        quantity=D(quantity),
        unit_price=D(unit_price),
        discount_percent=D(discount),
        tax_rate=D(tax),
    )
    assert amounts == LineAmounts(*(D(value) for value in expected))


def test_order_amounts_are_the_sums_of_the_lines():
    lines = [
        price_line(quantity=D("1"), unit_price=D("0.05"), discount_percent=D("50")),
        price_line(
            quantity=D("2"), unit_price=D("50.00"), discount_percent=D("10"), tax_rate=D("20")
        ),
    ]
    assert price_order(lines) == OrderAmounts(
        subtotal=D("100.05"), discount_total=D("10.03"), tax_total=D("18.00"), total=D("108.02")
    )


def test_an_order_without_lines_costs_nothing():
    assert price_order([]) == OrderAmounts(D("0.00"), D("0.00"), D("0.00"), D("0.00"))


def test_huge_amounts_are_computed_exactly_so_callers_can_refuse_them():
    # The exact product has 29 significant digits, more than Decimal's default 28.
    amounts = price_line(
        quantity=D("999999999999.999"), unit_price=D("999999999999.99"), tax_rate=D("999.99")
    )
    assert amounts.subtotal == D("999999999999989000000000.00")
    assert amounts.tax == D("9999899999999890001100000.00")


quantities = st.decimals(min_value=D("0.001"), max_value=D("100000"), places=3)
prices = st.decimals(min_value=D("0"), max_value=D("100000"), places=2)
percents = st.decimals(min_value=D("0"), max_value=D("100"), places=2)
tax_rates = st.decimals(min_value=D("0"), max_value=D("50"), places=2)
line_inputs = st.fixed_dictionaries(
    {
        "quantity": quantities,
        "unit_price": prices,
        "discount_percent": percents,
        "tax_rate": tax_rates,
    }
)


def _has_two_places(value: Decimal) -> bool:
    return value.as_tuple().exponent == -2


@given(line_inputs)
def test_a_line_rounds_each_amount_once_from_exact_values(line):
    amounts = price_line(**line)
    exact_subtotal = line["quantity"] * line["unit_price"]
    exact_discount = amounts.subtotal * line["discount_percent"] / 100
    exact_tax = (amounts.subtotal - amounts.discount) * line["tax_rate"] / 100
    # Each amount is within half a cent of its exact value: rounding never drifts.
    assert abs(amounts.subtotal - exact_subtotal) <= CENT / 2
    assert abs(amounts.discount - exact_discount) <= CENT / 2
    assert abs(amounts.tax - exact_tax) <= CENT / 2
    assert amounts.total == amounts.subtotal - amounts.discount + amounts.tax
    assert all(
        _has_two_places(value)
        for value in (amounts.subtotal, amounts.discount, amounts.tax, amounts.total)
    )
    assert D(0) <= amounts.discount <= amounts.subtotal
    assert amounts.tax >= 0


@given(st.lists(line_inputs, max_size=20))
def test_order_totals_are_the_sums_of_their_lines(lines):
    priced = [price_line(**line) for line in lines]
    order = price_order(priced)
    assert order.subtotal == sum((line.subtotal for line in priced), D(0))
    assert order.discount_total == sum((line.discount for line in priced), D(0))
    assert order.tax_total == sum((line.tax for line in priced), D(0))
    assert order.total == sum((line.total for line in priced), D(0))
    assert order.total == order.subtotal - order.discount_total + order.tax_total
    assert all(
        _has_two_places(value)
        for value in (order.subtotal, order.discount_total, order.tax_total, order.total)
    )
