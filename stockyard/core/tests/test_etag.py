"""ETagMixin on a read-and-create-only viewset: DELETE and PUT must be 405, not 500."""

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
