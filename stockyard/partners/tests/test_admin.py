import pytest
from django.test import Client

from stockyard.accounts.models import User
from stockyard.partners.tests.factories import CustomerFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-12345678"))
    return client


def test_partners_are_searched_by_code_and_name(staff):
    SupplierFactory(code="SUP-ACME", name="Acme")
    SupplierFactory(code="SUP-ZED", name="Zed")
    page = staff.get("/admin/partners/supplier/?q=acme").content.decode()
    assert "SUP-ACME" in page and "SUP-ZED" not in page


def test_partner_admin_is_browse_only(staff):
    customer = CustomerFactory(email="ap@customer.example")
    detail = staff.get(f"/admin/partners/customer/{customer.pk}/change/")
    assert detail.status_code == 200
    assert "ap@customer.example" in detail.content.decode()
    assert staff.get("/admin/partners/customer/add/").status_code == 403
    staff.post(f"/admin/partners/customer/{customer.pk}/change/", {"name": "Changed"})
    customer.refresh_from_db()
    assert customer.name != "Changed"
