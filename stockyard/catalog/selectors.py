"""Reads on the catalog, shaped for the API and reports."""

from django.db.models import QuerySet

from stockyard.catalog.models import Product


def product_list() -> QuerySet[Product]:
    """Products with the category and default supplier their representations name."""
    return Product.objects.select_related("category", "supplier")
