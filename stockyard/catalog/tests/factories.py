from decimal import Decimal

import factory

from stockyard.catalog.models import Category, Product
from stockyard.partners.tests.factories import SupplierFactory


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(CategoryFactory)
    supplier = factory.SubFactory(SupplierFactory)
    price = Decimal("10.00")
    cost = Decimal("6.00")
    reorder_point = Decimal("5")
    reorder_quantity = Decimal("20")
