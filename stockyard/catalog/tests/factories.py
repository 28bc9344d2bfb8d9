from datetime import date
from decimal import Decimal

import factory

from stockyard.catalog.models import Category, ExchangeRate, Product, Unit
from stockyard.partners.tests.factories import SupplierFactory


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    """A unit by code, made when missing: the migration seeds ``pcs``, ``kg`` and the
    others, but tests that truncate tables (transactional ones) remove them."""

    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = "pcs"
    name = factory.LazyAttribute(lambda unit: unit.code)
    decimal_places = 0


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    unit = factory.SubFactory(UnitFactory, code="kg", decimal_places=3)
    category = factory.SubFactory(CategoryFactory)
    supplier = factory.SubFactory(SupplierFactory)
    price = Decimal("10.00")
    cost = Decimal("6.00")
    reorder_point = Decimal("5")
    reorder_quantity = Decimal("20")


class ExchangeRateFactory(factory.django.DjangoModelFactory[ExchangeRate]):
    class Meta:
        model = ExchangeRate

    base = "EUR"
    quote = "USD"
    rate = Decimal("1.1")
    valid_from = date(2000, 1, 1)
