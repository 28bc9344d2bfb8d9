from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import DecimalField, F, Value
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from stockyard.core.decimals import currencies_by_minor_unit, fits, minor_unit, money, quantity
from stockyard.core.models import money_in


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


def test_currencies_are_grouped_by_their_minor_unit():
    groups = currencies_by_minor_unit()
    assert set(groups) == {0, 2, 3}
    assert {"JPY", "KRW"} <= set(groups[0])
    assert {"KWD", "BHD", "CLF"} <= set(groups[3])  # CLF's 4 places capped at the columns' 3
    assert {"USD", "XAU"} <= set(groups[2])


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


class MoneyInTheDatabase(TestCase):
    """``core.models.money_in`` rounds in SQL exactly as ``money`` does in Python."""

    @settings(max_examples=60, deadline=None)
    @given(
        st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, places=6),
        st.sampled_from(["JPY", "USD", "KWD", "BHD", "CLF", "XAU", "ZZZ"]),
    )
    def test_money_in_agrees_with_money(self, value: Decimal, currency: str) -> None:
        row = ContentType.objects.annotate(
            amount=Value(value, output_field=DecimalField()), code=Value(currency)
        ).values_list(money_in(F("amount"), currency="code"), flat=True)[:1]
        assert Decimal(row.get()) == money(value, currency)
