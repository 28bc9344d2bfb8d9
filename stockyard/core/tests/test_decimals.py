from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from stockyard.core.decimals import money, quantity


def test_money_rounds_half_up():
    assert money(Decimal("0.025")) == Decimal("0.03")
    assert money(Decimal("0.015")) == Decimal("0.02")
    assert money(Decimal("-0.025")) == Decimal("-0.03")
    assert money(Decimal("2.675")) == Decimal("2.68")


def test_quantity_rounds_half_up_to_three_places():
    assert quantity("1.0005") == Decimal("1.001")
    assert quantity(3) == Decimal("3.000")


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=6))
def test_rounding_is_idempotent_and_never_moves_more_than_half_a_step(value: Decimal):
    rounded = money(value)
    assert money(rounded) == rounded
    assert abs(rounded - value) <= Decimal("0.005")
