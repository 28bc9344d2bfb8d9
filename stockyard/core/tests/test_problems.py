import pytest
from rest_framework.exceptions import ErrorDetail
from rest_framework.test import APIClient

from stockyard.accounts.roles import Role
from stockyard.core.problems import flatten_errors
from stockyard.core.testing import assert_problem

pytestmark = pytest.mark.django_db


def test_flatten_errors_names_nested_fields_with_dotted_paths():
    detail = {
        "customer": [ErrorDetail("This field is required.")],
        "lines": [{}, {"quantity": [ErrorDetail("Must be positive.")]}],
        "non_field_errors": [ErrorDetail("Bad order.")],
    }
    assert flatten_errors(detail) == {
        "customer": ["This field is required."],
        "lines.1.quantity": ["Must be positive."],
        "non_field_errors": ["Bad order."],
    }


def test_a_nested_serializers_own_errors_belong_to_its_field():
    detail = {
        "lines": {"non_field_errors": [ErrorDetail("Expected a list of items.")]},
        "address": {"non_field_errors": [ErrorDetail("Incomplete.")], "city": ["Required."]},
    }
    assert flatten_errors(detail) == {
        "lines": ["Expected a list of items."],
        "address": ["Incomplete."],
        "address.city": ["Required."],
    }


def test_flatten_errors_of_a_bare_list_uses_non_field_errors():
    assert flatten_errors([ErrorDetail("Nope.")]) == {"non_field_errors": ["Nope."]}


def test_unknown_api_path_is_problem_json_404(api_client: APIClient):
    assert_problem(api_client.get("/api/v1/no-such-thing/"), 404, "not_found")


def test_unknown_path_outside_api_is_problem_json_404(api_client: APIClient, settings):
    settings.DEBUG = False
    assert_problem(api_client.get("/no-such-page"), 404, "not_found")


def test_missing_object_is_problem_json_404(admin_client: APIClient):
    assert_problem(admin_client.get("/api/v1/users/999999/"), 404, "not_found")


def test_unauthenticated_is_401_with_www_authenticate(api_client: APIClient):
    response = api_client.get("/api/v1/auth/me/")
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_garbage_token_is_401(api_client: APIClient):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert_problem(api_client.get("/api/v1/auth/me/"), 401, "not_authenticated")


def test_wrong_role_is_403(client_for):
    assert_problem(client_for(Role.SALES).get("/api/v1/users/"), 403, "permission_denied")


def test_wrong_method_is_405(admin_client: APIClient):
    assert_problem(admin_client.put("/api/v1/auth/me/", {}), 405, "method_not_allowed")


def test_malformed_json_is_400_parse_error(admin_client: APIClient):
    response = admin_client.post(
        "/api/v1/users/", data="{not json", content_type="application/json"
    )
    assert_problem(response, 400, "parse_error")


def test_unsupported_media_type_is_415(admin_client: APIClient):
    response = admin_client.post("/api/v1/users/", data="a=b", content_type="text/plain")
    assert_problem(response, 415, "unsupported_media_type")


def test_validation_error_lists_every_field(admin_client: APIClient):
    response = admin_client.post("/api/v1/users/", {"roles": ["emperor"]})
    body = assert_problem(response, 400, "validation_error")
    assert set(body["errors"]) == {"username", "password", "roles.0"}


@pytest.mark.urls("stockyard.core.tests.urls")
def test_application_error_renders_its_code_and_field_errors(api_client: APIClient):
    body = assert_problem(api_client.post("/api/v1/test/conflict/"), 409, "insufficient_stock")
    assert body["errors"] == {"lines.0.quantity": ["Only 2 available."]}
    assert body["detail"] == "Only 2 of SKU-1 available."


@pytest.mark.urls("stockyard.core.tests.urls")
def test_unexpected_exception_is_logged_and_answered_500_without_internals(
    api_client: APIClient, caplog
):
    response = api_client.get("/api/v1/test/crash/")
    body = assert_problem(response, 500, "server_error")
    assert "hunter2" not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
    assert "X-Request-ID" in body["detail"]
    logged = [r for r in caplog.records if r.name == "stockyard.errors"]
    assert logged and logged[0].exc_info is not None
    assert logged[0].exc_info[0] is RuntimeError


@pytest.mark.urls("stockyard.core.tests.urls")
def test_crash_outside_drf_is_problem_json_500(settings):
    settings.DEBUG = False
    client = APIClient(raise_request_exception=False)
    assert_problem(client.get("/plain-crash/"), 500, "server_error")
