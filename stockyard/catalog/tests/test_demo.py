import pytest

from stockyard.catalog import demo
from stockyard.catalog.models import Category, Product
from stockyard.events.models import Event
from stockyard.partners import demo as partners_demo

pytestmark = pytest.mark.django_db


def test_seed_makes_a_category_tree_and_fifty_products_once():
    partners_demo.seed()
    assert demo.seed() == ["Catalog: 13 categories (13 created), 50 products (50 created)"]
    assert Category.objects.filter(parent=None).count() == 4
    assert Product.objects.count() == 50
    assert not Product.objects.filter(supplier=None).exists()
    assert not Product.objects.filter(category__parent=None).exists()
    drill = Product.objects.select_related("supplier").get(sku="PT-DRL-18V")
    assert drill.lead_time_days == drill.supplier.lead_time_days > 0
    assert Event.objects.filter(type="product.created").count() == 50

    events = Event.objects.count()
    assert demo.seed() == ["Catalog: 13 categories (0 created), 50 products (0 created)"]
    assert (Category.objects.count(), Product.objects.count(), Event.objects.count()) == (
        13,
        50,
        events,
    )
