import pytest
from rest_framework.test import APIClient

from stockyard.accounts.models import User
from stockyard.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_admin_creates_a_user_with_roles_who_can_then_log_in(admin_client: APIClient):
    response = admin_client.post(
        "/api/v1/users/",
        {
            "username": "jo",
            "email": "jo@example.com",
            "password": "a-long-passphrase",
            "roles": ["sales"],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["roles"] == ["sales"]
    assert "password" not in body
    assert body["is_active"] is True
    login = APIClient().post(
        "/api/v1/auth/token/", {"username": "jo", "password": "a-long-passphrase"}
    )
    assert login.status_code == 200


def test_weak_passwords_are_refused_by_django_validators(admin_client: APIClient):
    response = admin_client.post(
        "/api/v1/users/", {"username": "jo", "password": "123", "roles": []}
    )
    assert response.status_code == 400
    assert "password" in response.json()["errors"]
    assert not User.objects.filter(username="jo").exists()


def test_admin_changes_roles_and_the_user_sees_them(admin_client: APIClient, make_user):
    user = make_user(Role.VIEWER)
    response = admin_client.patch(f"/api/v1/users/{user.id}/", {"roles": ["manager", "sales"]})
    assert response.status_code == 200
    assert response.json()["roles"] == ["manager", "sales"]
    user.refresh_from_db()
    assert {group.name for group in user.groups.all()} == {"manager", "sales"}


def test_the_admin_role_is_the_superuser(admin_client: APIClient, make_user):
    user = make_user(Role.VIEWER)
    admin_client.patch(f"/api/v1/users/{user.id}/", {"roles": ["admin"]})
    user.refresh_from_db()
    assert user.is_superuser and user.is_staff
    admin_client.patch(f"/api/v1/users/{user.id}/", {"roles": ["viewer"]})
    user.refresh_from_db()
    assert not user.is_superuser and not user.is_staff


def test_delete_deactivates(admin_client: APIClient, make_user):
    user = make_user(Role.VIEWER)
    assert admin_client.delete(f"/api/v1/users/{user.id}/").status_code == 204
    user.refresh_from_db()
    assert user.is_active is False


def test_duplicate_username_is_a_validation_error(admin_client: APIClient, make_user):
    user = make_user(Role.VIEWER)
    response = admin_client.post(
        "/api/v1/users/", {"username": user.username, "password": "a-long-passphrase"}
    )
    assert response.status_code == 400
    assert "username" in response.json()["errors"]


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_admins_manage_users(client_for, role: Role):
    client = client_for(role)
    assert client.get("/api/v1/users/").status_code == 403
    response = client.post("/api/v1/users/", {"username": "x", "password": "a-long-passphrase"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_superusers_made_by_createsuperuser_are_admins(api_client: APIClient, db):
    User.objects.create_superuser("root", "root@example.com", "a-long-passphrase")
    tokens = api_client.post(
        "/api/v1/auth/token/", {"username": "root", "password": "a-long-passphrase"}
    ).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.get("/api/v1/auth/me/").json()["roles"] == ["admin"]
    assert api_client.get("/api/v1/users/").status_code == 200


def test_user_list_runs_a_fixed_number_of_queries(
    admin_client: APIClient, make_user, django_assert_max_num_queries
):
    for _ in range(10):
        make_user(Role.SALES)
    with django_assert_max_num_queries(6):
        response = admin_client.get("/api/v1/users/?page_size=100")
    assert response.json()["count"] == 11
