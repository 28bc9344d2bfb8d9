"""What every API answer carries, and what an unknown API path answers to any method."""

import pytest
from django.test import Client

from stockyard.accounts.roles import Role
from stockyard.core.testing import assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_an_unknown_api_path_is_404_problem_json_for_every_method(method):
    # A browser-like client: CSRF checks are on, as for any cookie-carrying caller.
    browser = Client(enforce_csrf_checks=True)
    response = getattr(browser, method)("/api/v1/no-such-thing/", {})
    assert_problem(response, 404, "not_found")


def test_api_responses_are_not_stored_by_any_cache(client_for, api_client):
    client = client_for(Role.VIEWER)
    for response in (
        client.get("/api/v1/warehouses/"),
        client.get("/api/v1/auth/me/"),
        api_client.get("/api/v1/warehouses/"),  # a 401 too
        api_client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}),
    ):
        assert "no-store" in response["Cache-Control"], response.status_code


def test_health_probes_are_left_alone(client):
    assert "Cache-Control" not in client.get("/healthz")
