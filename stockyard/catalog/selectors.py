"""Reads on the catalog, shaped for the API, documents and reports."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import Lower

from stockyard.catalog.models import ExchangeRate, Product, Unit
from stockyard.core.decimals import RATE_PLACES, rounded
from stockyard.core.errors import ValidationFailed
from stockyard.core.pricing import convert


def product_list() -> QuerySet[Product]:
    """Products with the category and default supplier their representations name."""
    return Product.objects.select_related("category", "supplier")


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.all()


def exchange_rate_list() -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.all()


def exchange_rate_on(*, base: str, quote: str, on: date) -> Decimal | None:
    """How many ``quote`` one ``base`` is worth on ``on``: the rate of the pair with the
    latest ``valid_from <= on``, or the inverse of the reverse pair's; 1 for one currency
    with itself; ``None`` when no rate is known."""
    if base == quote:
        return Decimal(1)
    rates = ExchangeRate.objects.filter(valid_from__lte=on).order_by("-valid_from")
    direct = rates.filter(base=base, quote=quote).values_list("rate", flat=True).first()
    if direct is not None:
        return direct
    reverse = rates.filter(base=quote, quote=base).values_list("rate", flat=True).first()
    return None if reverse is None else rounded(1 / reverse, RATE_PLACES)


class NoExchangeRate(ValidationFailed):
    """A price cannot be converted: no rate is known for the pair on the day."""


def line_unit_price(
    given: Decimal | None, *, list_price: Decimal, product: Product, currency: str, on: date
) -> tuple[Decimal, Decimal | None]:
    """A document line's unit price in ``currency`` and the exchange rate used (``None``
    when nothing was converted): ``given`` as it is, else the product's ``list_price``
    (its price or cost, in the product's currency) converted at the rate valid ``on``
    the order date, to 4 places. Raises ``NoExchangeRate`` when no rate is known."""
    if given is not None:
        return given, None
    if product.currency == currency:
        return list_price, None
    rate = exchange_rate_on(base=product.currency, quote=currency, on=on)
    if rate is None:
        raise NoExchangeRate(
            f"{product.sku} is priced in {product.currency} and no exchange rate to "
            f"{currency} is known on {on}: give the price, or add a rate."
        )
    return convert(list_price, rate), rate


def rate_to_default_currency(currency: str, *, on: date) -> Decimal:
    """``DEFAULT_CURRENCY`` per unit of ``currency`` on ``on``: what a document records
    for reports to convert its amounts with. Raises ``NoExchangeRate`` (400 at
    ``currency``) when no rate is known."""
    rate = exchange_rate_on(base=currency, quote=settings.DEFAULT_CURRENCY, on=on)
    if rate is None:
        message = (
            f"No exchange rate from {currency} to {settings.DEFAULT_CURRENCY} is known on "
            f"{on}; add one at /api/v1/exchange-rates/."
        )
        raise NoExchangeRate(message, errors={"currency": [message]})
    return rate


def products_by_sku(sku: str, products: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """The product (at most one) whose SKU is ``sku`` ignoring case, found through the
    unique index on ``LOWER(sku)`` (``sku__iexact`` compares ``UPPER()`` and scans)."""
    rows = Product.objects.all() if products is None else products
    return rows.alias(sku_folded=Lower("sku")).filter(sku_folded=sku.strip().lower())


def products_by_skus(skus: Iterable[str]) -> QuerySet[Product]:
    """The products whose SKUs are among ``skus`` ignoring case, in one query through the
    same unique index on ``LOWER(sku)``."""
    folded = sorted({sku.strip().lower() for sku in skus})
    return Product.objects.alias(sku_folded=Lower("sku")).filter(sku_folded__in=folded)
