import pytest
from django.test import Client

from stockyard.accounts.models import User
from stockyard.catalog.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-12345678"))
    return client


def test_products_are_listed_searched_and_filtered(staff):
    ProductFactory(sku="BOLT-1", name="Hex bolt")
    ProductFactory.create_batch(10)
    page = staff.get("/admin/catalog/product/?q=hex").content.decode()
    assert "BOLT-1" in page and "SKU-" not in page
    inactive = staff.get("/admin/catalog/product/?is_active__exact=0").content.decode()
    assert "BOLT-1" not in inactive


def test_top_level_category_filter(staff):
    root = CategoryFactory(name="Hardware")
    CategoryFactory(name="Fasteners", parent=root)
    page = staff.get("/admin/catalog/category/?parent__isempty=1").content.decode()
    assert "Hardware" in page and "Fasteners" not in page


def test_catalog_admin_is_browse_only(staff):
    product = ProductFactory()
    assert staff.get(f"/admin/catalog/product/{product.pk}/change/").status_code == 200
    assert staff.get("/admin/catalog/product/add/").status_code == 403
    assert staff.get(f"/admin/catalog/product/{product.pk}/delete/").status_code == 403
