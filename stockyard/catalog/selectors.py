"""Reads on the catalog, shaped for the API, documents and reports."""

from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from stockyard.catalog.models import ExchangeRate, Product, Unit
from stockyard.core.decimals import RATE_PLACES, rounded
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


def product_price_in(
    amount: Decimal, *, product_currency: str, currency: str, on: date
) -> tuple[Decimal, Decimal | None] | None:
    """A product's price or cost (``amount`` in ``product_currency``) in ``currency`` on
    ``on``, with the exchange rate used (``None`` when no conversion was needed); ``None``
    when no rate is known for the pair."""
    if product_currency == currency:
        return amount, None
    rate = exchange_rate_on(base=product_currency, quote=currency, on=on)
    return None if rate is None else (convert(amount, rate), rate)
