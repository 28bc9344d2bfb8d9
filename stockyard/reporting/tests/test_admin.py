import pytest
from django.test import Client

from stockyard.accounts.roles import Role
from stockyard.reporting import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_site(make_user) -> Client:
    client = Client()
    client.force_login(make_user(Role.ADMIN))
    return client


def test_exports_are_listed(admin_site, make_user):
    export = services.export_create(
        user=make_user(Role.SALES), report="low-stock", params={}, file_format="csv"
    )
    page = admin_site.get("/admin/reporting/export/").content.decode()
    assert f"/admin/reporting/export/{export.pk}/change/" in page
