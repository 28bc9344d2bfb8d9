"""Quantities, prices, rates and money: ``Decimal`` only, half-up rounding.

Places, and where they come from:

- quantities: 3 places at most (a unit of measure may allow fewer, see ``catalog.units``);
- unit prices and costs, product prices and costs: 4 places (``0.0125`` a piece);
- percentages (tax rates, discounts): 4 places (``6.625`` % is ``6.6250``);
- amounts (line and order amounts, credit limits): the currency's minor unit from
  ISO 4217 (USD 2, JPY 0, KWD 3), stored in columns of ``AMOUNT_PLACES`` = 3 places.

Every column has a limit: ``10 ** (digits - places)``. ``fits`` says whether a value,
given or computed, can be stored; services refuse what does not fit with a 400 naming
the field rather than letting the database fail.
"""

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from iso4217 import Currency

QUANTITY_PLACES = 3
QUANTITY_DIGITS = 15
PRICE_PLACES = 4
PRICE_DIGITS = 16
PERCENT_PLACES = 4
PERCENT_DIGITS = 7
AMOUNT_PLACES = 3  # the most minor digits a currency in use has (KWD, BHD, OMR, ...)
AMOUNT_DIGITS = 15
RATE_PLACES = 10
RATE_DIGITS = 20
DEFAULT_MINOR_UNIT = 2  # of codes without one in ISO 4217 (XAU) or unknown to it

ZERO = Decimal(0)


def step(places: int) -> Decimal:
    """The smallest increment with ``places`` decimals: ``step(2) == Decimal("0.01")``."""
    return Decimal(1).scaleb(-places)


def rounded(value: Decimal | int | str, places: int) -> Decimal:
    """``value`` rounded half-up to ``places`` decimals (``0.025`` → ``0.03`` at 2)."""
    return Decimal(value).quantize(step(places), rounding=ROUND_HALF_UP)


def quantity(value: Decimal | int | str) -> Decimal:
    """Round a quantity half-up to 3 places."""
    return rounded(value, QUANTITY_PLACES)


def price(value: Decimal | int | str) -> Decimal:
    """Round a unit price or cost half-up to 4 places."""
    return rounded(value, PRICE_PLACES)


@cache
def minor_unit(currency: str) -> int:
    """The decimal places of ``currency``'s minor unit, per ISO 4217 (``USD`` 2, ``JPY``
    0, ``KWD`` 3). Codes without one (``XAU``) or unknown to the standard get 2."""
    try:
        exponent = Currency(currency).exponent
    except ValueError:
        return DEFAULT_MINOR_UNIT
    return DEFAULT_MINOR_UNIT if exponent is None else min(exponent, AMOUNT_PLACES)


@cache
def currencies_by_minor_unit() -> dict[int, tuple[str, ...]]:
    """Every ISO 4217 code grouped by ``minor_unit``: ``{0: ("BIF", ..., "JPY", ...), 2:
    (...), 3: ("BHD", ..., "KWD", ...)}``, codes sorted; a code not listed has
    ``DEFAULT_MINOR_UNIT`` places."""
    groups: dict[int, list[str]] = {}
    for currency in Currency:
        groups.setdefault(minor_unit(currency.code), []).append(currency.code)
    return {places: tuple(sorted(codes)) for places, codes in sorted(groups.items())}


def money(value: Decimal | int | str, currency: str) -> Decimal:
    """An amount rounded half-up to ``currency``'s minor unit (ISO 4217):
    ``money("0.125", "USD") == Decimal("0.13")``, ``money("99.5", "JPY") == Decimal("100")``.
    """
    return rounded(value, minor_unit(currency))


def limit(digits: int, places: int) -> Decimal:
    """The first magnitude a ``numeric(digits, places)`` column cannot hold."""
    return Decimal(10) ** (digits - places)


def fits(value: Decimal, digits: int, places: int) -> bool:
    """Whether ``value``, rounded to ``places``, fits a ``numeric(digits, places)`` column."""
    return abs(rounded(value, places)) < limit(digits, places)
