"""ETagMixin: 405 (not 500) for methods a viewset lacks, and OPTIONS that never locks."""

import pytest
from django.urls import include, path
from rest_framework import mixins, viewsets
from rest_framework.routers import SimpleRouter

from stockyard.accounts.models import User
from stockyard.accounts.serializers import MeSerializer
from stockyard.core.views import ETagMixin


class ReadOnlyUsers(ETagMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[User]):
    queryset = User.objects.all()
    serializer_class = MeSerializer


router = SimpleRouter()
router.register("api/v1/test/users", ReadOnlyUsers, basename="test-user")
urlpatterns = [path("", include(router.urls)), path("", include("config.urls"))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_detail_responses_carry_an_etag(admin_client):
    response = admin_client.get(f"/api/v1/test/users/{admin_client.user.pk}/")
    assert response.status_code == 200
    assert response["ETag"].startswith('"')


@pytest.mark.parametrize("method", ["delete", "put", "patch"])
def test_methods_the_viewset_lacks_are_405(admin_client, method: str):
    response = getattr(admin_client, method)(f"/api/v1/test/users/{admin_client.user.pk}/", {})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_non_numeric_ids_are_404_for_every_method(admin_client):
    for method in ("get", "patch", "delete"):
        response = getattr(admin_client, method)("/api/v1/test/users/abc/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


DETAILS = [
    "products",
    "categories",
    "suppliers",
    "customers",
    "warehouses",
    "purchase-orders",
    "sales-orders",
    "shipments",
    "users",
]


@pytest.mark.urls("config.urls")
@pytest.mark.django_db(transaction=True)  # as served: no test-wide transaction around it
@pytest.mark.parametrize("resource", DETAILS)
def test_options_on_a_detail_describes_it_without_locking_anything(admin_client, resource):
    """DRF answers OPTIONS by asking for the object under a copy of the request that
    claims to be a PUT; that must not take the write path's row lock."""
    response = admin_client.options(f"/api/v1/{resource}/0/")
    assert response.status_code == 200, response.content
    assert response.json()["name"]
