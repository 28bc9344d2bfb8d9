"""Quantities and money: Decimal only, half-up rounding, 3 and 2 places."""

from decimal import ROUND_HALF_UP, Decimal

QUANTITY_PLACES = 3
MONEY_PLACES = 2
QUANTITY_DIGITS = 15
MONEY_DIGITS = 14

_QUANTITY_STEP = Decimal(1).scaleb(-QUANTITY_PLACES)
_MONEY_STEP = Decimal(1).scaleb(-MONEY_PLACES)
ZERO = Decimal(0)


def quantity(value: Decimal | int | str) -> Decimal:
    """Round a quantity half-up to 3 places."""
    return Decimal(value).quantize(_QUANTITY_STEP, rounding=ROUND_HALF_UP)


def money(value: Decimal | int | str) -> Decimal:
    """Round an amount of money half-up to 2 places (``0.025`` → ``0.03``)."""
    return Decimal(value).quantize(_MONEY_STEP, rounding=ROUND_HALF_UP)
