from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stockyard.core.decimals import minor_unit
from stockyard.core.pricing import LineAmounts, OrderAmounts, convert, price_line, price_order

D = Decimal


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
        # 4-place prices and rates: 1000 x 0.0125 = 12.50; 6.625 % tax = 0.828125 → 0.83
        ("1000", "0.0125", "0", "6.625", ("12.50", "0.00", "0.83", "13.33")),
    ],
)
def test_line_amounts(quantity, unit_price, discount, tax, expected):
    amounts = price_line(
        quantity=D(quantity),
        unit_price=D(unit_price),
        currency="USD",
        discount_percent=D(discount),
        tax_rate=D(tax),
    )
    assert amounts == LineAmounts(*(D(value) for value in expected))


@pytest.mark.parametrize(
    ("currency", "expected"),
    [
        # 3 x 333.3333 = 999.9999; 8 % tax
        ("JPY", ("1000", "0", "80", "1080")),
        ("USD", ("1000.00", "0.00", "80.00", "1080.00")),
        ("KWD", ("1000.000", "0.000", "80.000", "1080.000")),
    ],
)
def test_line_amounts_round_to_the_currencys_minor_unit(currency, expected):
    amounts = price_line(
        quantity=D("3"), unit_price=D("333.3333"), currency=currency, tax_rate=D("8")
    )
    assert amounts == LineAmounts(*(D(value) for value in expected))
    assert [str(value) for value in vars(amounts).values()] == list(expected)


def test_order_amounts_are_the_sums_of_the_lines():
    lines = [
        price_line(quantity=D("1"), unit_price=D("0.05"), currency="USD", discount_percent=D(50)),
        price_line(
            quantity=D("2"),
            unit_price=D("50.00"),
            currency="USD",
            discount_percent=D("10"),
            tax_rate=D("20"),
        ),
    ]
    assert price_order(lines, currency="USD") == OrderAmounts(
        subtotal=D("100.05"), discount_total=D("10.03"), tax_total=D("18.00"), total=D("108.02")
    )


def test_an_order_without_lines_costs_nothing():
    assert price_order([], currency="JPY") == OrderAmounts(D("0"), D("0"), D("0"), D("0"))


def test_huge_amounts_are_computed_exactly_so_callers_can_refuse_them():
    # The exact product has 29 significant digits, more than Decimal's default 28.
    amounts = price_line(
        quantity=D("999999999999.999"),
        unit_price=D("999999999999.99"),
        currency="USD",
        tax_rate=D("999.99"),
    )
    assert amounts.subtotal == D("999999999999989000000000.00")
    assert amounts.tax == D("9999899999999890001100000.00")


def test_convert_keeps_four_places():
    assert convert(D("12.5000"), D("162.4321")) == D("2030.4013")
    assert convert(D("0.0125"), D("0.0061538462")) == D("0.0001")


# --- properties, in currencies with 0, 2 and 3 minor digits ------------------------------

currencies = st.sampled_from(["JPY", "USD", "EUR", "KWD", "BHD"])
quantities = st.decimals(min_value=D("0.001"), max_value=D("100000"), places=3)
prices = st.decimals(min_value=D("0"), max_value=D("100000"), places=4)
percents = st.decimals(min_value=D("0"), max_value=D("100"), places=4)
tax_rates = st.decimals(min_value=D("0"), max_value=D("50"), places=4)
line_inputs = st.fixed_dictionaries(
    {
        "quantity": quantities,
        "unit_price": prices,
        "discount_percent": percents,
        "tax_rate": tax_rates,
    }
)


def _in_minor_units(value: Decimal, currency: str) -> bool:
    return value.as_tuple().exponent == -minor_unit(currency)


@given(line_inputs, currencies)
def test_a_line_rounds_each_amount_once_to_the_minor_unit(line, currency):
    amounts = price_line(**line, currency=currency)
    half_unit = D(1).scaleb(-minor_unit(currency)) / 2
    exact_subtotal = line["quantity"] * line["unit_price"]
    exact_discount = amounts.subtotal * line["discount_percent"] / 100
    exact_tax = (amounts.subtotal - amounts.discount) * line["tax_rate"] / 100
    # Each amount is within half a minor unit of its exact value: rounding never drifts.
    assert abs(amounts.subtotal - exact_subtotal) <= half_unit
    assert abs(amounts.discount - exact_discount) <= half_unit
    assert abs(amounts.tax - exact_tax) <= half_unit
    assert amounts.total == amounts.subtotal - amounts.discount + amounts.tax
    assert all(_in_minor_units(value, currency) for value in vars(amounts).values())
    assert D(0) <= amounts.discount <= amounts.subtotal
    assert amounts.tax >= 0


@given(st.lists(line_inputs, max_size=20), currencies)
def test_order_totals_are_the_sums_of_their_lines(lines, currency):
    priced = [price_line(**line, currency=currency) for line in lines]
    order = price_order(priced, currency=currency)
    assert order.subtotal == sum((line.subtotal for line in priced), D(0))
    assert order.discount_total == sum((line.discount for line in priced), D(0))
    assert order.tax_total == sum((line.tax for line in priced), D(0))
    assert order.total == sum((line.total for line in priced), D(0))
    assert order.total == order.subtotal - order.discount_total + order.tax_total
    assert all(_in_minor_units(value, currency) for value in vars(order).values())


@given(prices, st.decimals(min_value=D("0.0001"), max_value=D("10000"), places=10))
def test_a_converted_price_is_within_half_a_ten_thousandth_of_exact(unit_price, rate):
    converted = convert(unit_price, rate)
    assert converted.as_tuple().exponent == -4
    assert abs(converted - unit_price * rate) <= D("0.00005")
