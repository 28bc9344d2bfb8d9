"""Sales order pricing: exact, with ``Decimal`` and half-up rounding to 2 places.

Pure functions, no database: the one place the API contract's formula lives.

Per line::

    line_subtotal = money(quantity x unit_price)
    line_discount = money(line_subtotal x discount_percent / 100)
    line_tax      = money((line_subtotal - line_discount) x tax_rate / 100)
    line_total    = line_subtotal - line_discount + line_tax

Each amount is rounded once, from exact operands, so rounding never compounds. Order
amounts are the sums of the line amounts (sums of 2-place numbers are exact), hence
``total = subtotal - discount_total + tax_total`` always holds to the cent.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from stockyard.core.decimals import ZERO, money

HUNDRED = Decimal(100)
# Enough significant digits that products of the largest quantities and prices stay exact
# before the one rounding to cents (the default context keeps 28).
_EXACT_PRECISION = 60


@dataclass(frozen=True)
class LineAmounts:
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class OrderAmounts:
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal


def price_line(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal = ZERO,
    tax_rate: Decimal = ZERO,
) -> LineAmounts:
    with localcontext(prec=_EXACT_PRECISION):
        subtotal = money(quantity * unit_price)
        discount = money(subtotal * discount_percent / HUNDRED)
        tax = money((subtotal - discount) * tax_rate / HUNDRED)
    return LineAmounts(
        subtotal=subtotal, discount=discount, tax=tax, total=subtotal - discount + tax
    )


def price_order(lines: Iterable[LineAmounts]) -> OrderAmounts:
    subtotal = discount_total = tax_total = money(ZERO)
    for line in lines:
        subtotal += line.subtotal
        discount_total += line.discount
        tax_total += line.tax
    return OrderAmounts(
        subtotal=subtotal,
        discount_total=discount_total,
        tax_total=tax_total,
        total=subtotal - discount_total + tax_total,
    )
