import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from conftest import PASSWORD
from stockyard.accounts.roles import Role

pytestmark = pytest.mark.django_db


def obtain(client: APIClient, username: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password})


def test_obtain_token_and_read_me(api_client: APIClient, make_user):
    user = make_user(Role.SALES, Role.WAREHOUSE)
    tokens = obtain(api_client, user.username).json()
    assert set(tokens) == {"access", "refresh"}
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = api_client.get("/api/v1/auth/me/").json()
    assert me.pop("capabilities")  # what the roles allow: see test_me_lists_what_the_roles_allow
    assert me == {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "roles": ["sales", "warehouse"],
    }


def test_bad_credentials_are_401(api_client: APIClient, make_user):
    user = make_user(Role.SALES)
    response = obtain(api_client, user.username, "wrong")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_refresh_rotates_and_the_old_refresh_token_is_revoked(api_client: APIClient, make_user):
    user = make_user(Role.VIEWER)
    first = obtain(api_client, user.username).json()
    rotated = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]})
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != first["refresh"]
    reused = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]})
    assert reused.status_code == 401
    assert reused.json()["code"] == "not_authenticated"


def test_logout_revokes_the_refresh_token(api_client: APIClient, make_user):
    user = make_user(Role.VIEWER)
    tokens = obtain(api_client, user.username).json()
    assert (
        api_client.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}).status_code == 204
    )
    refused = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert refused.status_code == 401


def test_logout_with_a_bad_token_is_401(api_client: APIClient):
    response = api_client.post("/api/v1/auth/logout/", {"refresh": "garbage"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_logout_without_a_token_is_400(api_client: APIClient):
    response = api_client.post("/api/v1/auth/logout/", {})
    assert response.status_code == 400
    assert response.json()["errors"] == {"refresh": ["This field is required."]}


def test_inactive_users_cannot_obtain_tokens(api_client: APIClient, make_user):
    user = make_user(Role.VIEWER)
    user.is_active = False
    user.save()
    assert obtain(api_client, user.username).status_code == 401


def test_token_endpoints_are_throttled_per_client_address(api_client: APIClient, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    statuses = [obtain(api_client, "nobody", "x").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    throttled = obtain(api_client, "nobody", "x")
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("role", "has", "lacks"),
    [
        (Role.VIEWER, {"business.view", "catalog.view"}, {"stock.move", "reports.view"}),
        (Role.WAREHOUSE, {"stock.move", "shipping.manage"}, {"sales.manage", "users.manage"}),
        (Role.ADMIN, {"users.manage", "sales.manage"}, set()),
    ],
)
def test_me_lists_what_the_roles_allow(client_for, role, has, lacks):
    """The console hides what a user may not use by this list: it is the role matrix."""
    capabilities = set(client_for(role).get("/api/v1/auth/me/").json()["capabilities"])
    assert has <= capabilities
    assert not lacks & capabilities
