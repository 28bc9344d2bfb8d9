from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from stockyard.core.decimals import fits, minor_unit, money, quantity


def test_money_rounds_half_up():
    assert money(Decimal("0.025"), "USD") == Decimal("0.03")
    assert money(Decimal("0.015"), "USD") == Decimal("0.02")
    assert money(Decimal("-0.025"), "USD") == Decimal("-0.03")
    assert money(Decimal("2.675"), "USD") == Decimal("2.68")


def test_money_rounds_to_the_minor_unit_of_iso_4217():
    assert minor_unit("USD") == 2
    assert minor_unit("JPY") == 0
    assert minor_unit("KWD") == 3
    assert money(Decimal("99.5"), "JPY") == Decimal("100")
    assert money(Decimal("1.2345"), "KWD") == Decimal("1.235")
    assert money(Decimal("1.2345"), "EUR") == Decimal("1.23")


def test_a_currency_without_a_minor_unit_in_the_standard_gets_two_places():
    assert minor_unit("XAU") == 2
    assert minor_unit("ZZZ") == 2


def test_fits_derives_the_limit_from_the_column():
    assert fits(Decimal("999999999999.999"), 15, 3)
    assert not fits(Decimal("1000000000000"), 15, 3)
    # Rounding to the column's places may carry into one more digit.
    assert not fits(Decimal("999999999999.9996"), 15, 3)


def test_quantity_rounds_half_up_to_three_places():
    assert quantity("1.0005") == Decimal("1.001")
    assert quantity(3) == Decimal("3.000")


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=6))
def test_rounding_is_idempotent_and_never_moves_more_than_half_a_step(value: Decimal):
    rounded = money(value, "USD")
    assert money(rounded, "USD") == rounded
    assert abs(rounded - value) <= Decimal("0.005")
