"""Reads on the catalog, shaped for the API and reports."""

from django.db.models import QuerySet
from django.db.models.functions import Lower

from stockyard.catalog.models import Product


def product_list() -> QuerySet[Product]:
    """Products with the category and default supplier their representations name."""
    return Product.objects.select_related("category", "supplier")


def products_by_sku(sku: str, products: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """The product (at most one) whose SKU is ``sku`` ignoring case, found through the
    unique index on ``LOWER(sku)`` (``sku__iexact`` compares ``UPPER()`` and scans)."""
    rows = Product.objects.all() if products is None else products
    return rows.alias(sku_folded=Lower("sku")).filter(sku_folded=sku.strip().lower())
