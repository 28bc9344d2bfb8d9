"""Document pricing: the one place the line and order formulas live, for sales and
purchase orders alike. Pure functions on ``Decimal``, no database.

Per line, each amount rounded half-up to the currency's minor unit (ISO 4217: USD 2
places, JPY 0, KWD 3)::

    line_subtotal = money(quantity x unit_price)
    line_discount = money(line_subtotal x discount_percent / 100)
    line_tax      = money((line_subtotal - line_discount) x tax_rate / 100)
    line_total    = line_subtotal - line_discount + line_tax

Each amount is rounded once, from exact operands, so rounding never compounds. Order
amounts are the sums of the line amounts (sums of numbers rounded to one minor unit are
exact), hence ``total = subtotal - discount_total + tax_total`` always holds.

Prices in another currency are converted with ``convert`` (to 4 places, the precision
of unit prices) before they are priced here.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from stockyard.core.decimals import ZERO, money, price

HUNDRED = Decimal(100)
# Enough significant digits that products of the largest quantities and prices stay exact
# before the one rounding (the default context keeps 28).
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
    currency: str,
    discount_percent: Decimal = ZERO,
    tax_rate: Decimal = ZERO,
) -> LineAmounts:
    """The amounts of one line in ``currency``; percentages are 0-100 (``20`` is 20 %).
    Amounts too large for any column are still computed exactly: the caller refuses them.
    """
    with localcontext(prec=_EXACT_PRECISION):
        subtotal = money(quantity * unit_price, currency)
        discount = money(subtotal * discount_percent / HUNDRED, currency)
        tax = money((subtotal - discount) * tax_rate / HUNDRED, currency)
        total = subtotal - discount + tax
    return LineAmounts(subtotal=subtotal, discount=discount, tax=tax, total=total)


def price_order(lines: Iterable[LineAmounts], *, currency: str) -> OrderAmounts:
    """The order amounts: the sums of its lines' amounts."""
    subtotal = discount_total = tax_total = money(ZERO, currency)
    with localcontext(prec=_EXACT_PRECISION):
        for line in lines:
            subtotal += line.subtotal
            discount_total += line.discount
            tax_total += line.tax
        total = subtotal - discount_total + tax_total
    return OrderAmounts(
        subtotal=subtotal, discount_total=discount_total, tax_total=tax_total, total=total
    )


def convert(unit_price: Decimal, rate: Decimal) -> Decimal:
    """A unit price in another currency: ``unit_price x rate`` to 4 places, half-up."""
    with localcontext(prec=_EXACT_PRECISION):
        return price(unit_price * rate)
