"""Password, role and active-flag changes and logout revoke every earlier token; an admin
cannot lock everyone out; refresh tokens are stored as digests only."""

import secrets
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from conftest import PASSWORD
from stockyard.accounts.models import User
from stockyard.accounts.roles import Role
from stockyard.core.testing import assert_problem, run_concurrently

pytestmark = pytest.mark.django_db
ME = "/api/v1/auth/me/"


def login(user: User) -> dict[str, str]:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.content
    return response.json()


def oauth2_token(user: User) -> str:
    application = Application.objects.create(
        name="console",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://console.example/callback",
    )
    token = secrets.token_urlsafe(30).replace("-", "a").replace("_", "b")
    AccessToken.objects.create(
        user=user,
        application=application,
        token=token,
        scope="read write",
        expires=timezone.now() + timedelta(minutes=5),
    )
    return token


def bearer(token: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")


def assert_revoked(tokens: dict[str, str], oauth: str) -> None:
    assert_problem(bearer(tokens["access"]).get(ME), 401, "not_authenticated")
    assert_problem(bearer(oauth).get(ME), 401, "not_authenticated")
    refreshed = APIClient().post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert_problem(refreshed, 401, "not_authenticated")


@pytest.mark.parametrize(
    "change",
    [
        {"password": "a-brand-new-passphrase"},
        {"roles": ["viewer", "sales"]},
        {"is_active": False},
    ],
    ids=["password", "roles", "is_active"],
)
def test_a_change_to_the_user_revokes_every_earlier_token(admin_client, make_user, change):
    user = make_user(Role.VIEWER)
    tokens, oauth = login(user), oauth2_token(user)
    assert bearer(tokens["access"]).get(ME).status_code == 200
    assert bearer(oauth).get(ME).status_code == 200
    assert admin_client.patch(f"/api/v1/users/{user.id}/", change).status_code == 200
    assert_revoked(tokens, oauth)


def test_a_change_that_changes_nothing_revokes_nothing(admin_client, make_user):
    user = make_user(Role.VIEWER)
    tokens = login(user)
    admin_client.patch(f"/api/v1/users/{user.id}/", {"email": "new@example.com"})
    admin_client.patch(f"/api/v1/users/{user.id}/", {"roles": ["viewer"]})
    assert bearer(tokens["access"]).get(ME).status_code == 200


def test_logout_revokes_the_access_token_and_every_other_session(make_user):
    user = make_user(Role.VIEWER)
    laptop, phone, oauth = login(user), login(user), oauth2_token(user)
    logout = APIClient().post("/api/v1/auth/logout/", {"refresh": laptop["refresh"]})
    assert logout.status_code == 204
    assert_revoked(laptop, oauth)
    assert_revoked(phone, oauth)
    fresh = login(user)
    assert bearer(fresh["access"]).get(ME).status_code == 200


def test_tokens_after_the_change_work(admin_client, make_user):
    user = make_user(Role.VIEWER)
    admin_client.patch(f"/api/v1/users/{user.id}/", {"roles": ["sales"]})
    tokens = login(user)
    assert bearer(tokens["access"]).get(ME).json()["roles"] == ["sales"]
    rotated = APIClient().post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert bearer(rotated.json()["access"]).get(ME).status_code == 200


def test_an_admin_cannot_deactivate_themselves(admin_client):
    me = admin_client.user
    assert_problem(admin_client.delete(f"/api/v1/users/{me.id}/"), 409, "conflict")
    response = admin_client.patch(f"/api/v1/users/{me.id}/", {"is_active": False})
    assert_problem(response, 409, "conflict")
    me.refresh_from_db()
    assert me.is_active


def test_the_last_active_admin_cannot_lose_the_role(admin_client, make_user):
    me = admin_client.user
    response = admin_client.patch(f"/api/v1/users/{me.id}/", {"roles": ["manager"]})
    assert_problem(response, 409, "conflict")
    other = make_user(Role.ADMIN)
    assert admin_client.delete(f"/api/v1/users/{other.id}/").status_code == 204
    assert_problem(
        admin_client.patch(f"/api/v1/users/{me.id}/", {"roles": ["manager"]}), 409, "conflict"
    )
    assert User.objects.get(pk=me.pk).is_superuser


def test_with_another_admin_the_role_can_go(admin_client, make_user):
    me = admin_client.user
    make_user(Role.ADMIN)
    response = admin_client.patch(f"/api/v1/users/{me.id}/", {"roles": ["manager"]})
    assert response.status_code == 200


def test_refresh_tokens_are_stored_as_digests_only(make_user):
    tokens = login(make_user(Role.VIEWER))
    APIClient().post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    stored = list(OutstandingToken.objects.values_list("token", flat=True))
    assert len(stored) == 2
    assert all(value.startswith("sha256:") for value in stored)
    assert tokens["refresh"] not in stored


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_username_are_one_201_and_400s(make_user):
    admin = make_user(Role.ADMIN)
    access = login(admin)["access"]

    def create(index: int) -> int:
        name = "newcomer" if index % 2 else "NewComer"
        return (
            bearer(access)
            .post("/api/v1/users/", {"username": name, "password": "a-long-passphrase"})
            .status_code
        )

    assert Counter(run_concurrently(create, 8)) == {201: 1, 400: 7}
    assert User.objects.filter(username__iexact="newcomer").count() == 1


# Outside the API: the admin, manage.py, a shell. The model layer revokes for them all.

NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.fixture
def signed_in_admin(client, make_user):
    """The Django admin's browser session of an admin (who is not the user changed)."""
    client.force_login(make_user(Role.ADMIN))
    return client


def test_an_admin_password_change_revokes_every_earlier_token(signed_in_admin, make_user):
    user = make_user(Role.VIEWER)
    tokens, oauth = login(user), oauth2_token(user)
    response = signed_in_admin.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    assert_revoked(tokens, oauth)


def admin_change_form(user: User, **changes) -> dict:
    """What the admin's user change form posts for ``user``, with ``changes``."""
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "groups": [group.pk for group in user.groups.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda: {"groups": [Group.objects.get_or_create(name="sales")[0].pk]}, id="roles"
        ),
        pytest.param(lambda: {"is_active": None}, id="is_active"),
        pytest.param(lambda: {"is_superuser": "on"}, id="admin role"),
    ],
)
def test_an_admin_change_form_revokes_every_earlier_token(signed_in_admin, make_user, change):
    user = make_user(Role.VIEWER)
    tokens, oauth = login(user), oauth2_token(user)
    response = signed_in_admin.post(
        f"/admin/accounts/user/{user.pk}/change/", admin_change_form(user, **change())
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert_revoked(tokens, oauth)


def test_an_admin_change_of_the_name_only_revokes_nothing(signed_in_admin, make_user):
    user = make_user(Role.VIEWER)
    tokens = login(user)
    response = signed_in_admin.post(
        f"/admin/accounts/user/{user.pk}/change/", admin_change_form(user, first_name="Sam")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert bearer(tokens["access"]).get(ME).status_code == 200


def test_the_changepassword_command_revokes_every_earlier_token(make_user, monkeypatch):
    user = make_user(Role.VIEWER)
    tokens, oauth = login(user), oauth2_token(user)
    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt="": NEW_PASSWORD)
    call_command("changepassword", user.username, stdout=StringIO())
    assert_revoked(tokens, oauth)


def new_password(user: User) -> None:
    user.set_password(NEW_PASSWORD)
    user.save()


def deactivated(user: User) -> None:
    user.is_active = False
    user.save()


def renamed_viewer_group(user: User) -> None:
    group = Group.objects.get(name="viewer")
    group.name = "former-viewer"
    group.save()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(new_password, id="password"),
        pytest.param(deactivated, id="is_active"),
        pytest.param(lambda user: user.groups.clear(), id="roles cleared"),
        pytest.param(
            lambda user: Group.objects.get_or_create(name="sales")[0].user_set.add(user.pk),
            id="role from group",
        ),
        pytest.param(
            lambda user: Group.objects.get_or_create(name="viewer")[0].user_set.clear(),
            id="group cleared",
        ),
        pytest.param(renamed_viewer_group, id="group renamed"),
        pytest.param(lambda user: Group.objects.get(name="viewer").delete(), id="group deleted"),
    ],
)
def test_a_change_in_a_shell_revokes_every_earlier_token(make_user, change):
    user = make_user(Role.VIEWER)
    tokens, oauth = login(user), oauth2_token(user)
    change(User.objects.get(pk=user.pk))
    assert_revoked(tokens, oauth)


ROLE_CHANGES = [
    pytest.param(lambda user: user.groups.clear(), id="roles cleared"),
    pytest.param(
        lambda user: Group.objects.get(name="viewer").user_set.remove(user.pk), id="from group"
    ),
    pytest.param(renamed_viewer_group, id="group renamed"),
    pytest.param(lambda user: Group.objects.get(name="viewer").delete(), id="group deleted"),
]


@pytest.mark.parametrize("change", ROLE_CHANGES)
def test_a_change_of_roles_is_seen_by_the_next_read(make_user, change):
    """Roles are cached per user and roles epoch (``models.group_roles``), tokens or not:
    each change moves the epoch, and a user read afterwards has the new roles."""
    user = make_user(Role.VIEWER)
    assert User.objects.get(pk=user.pk).roles == {Role.VIEWER}  # cached for this epoch

    change(User.objects.get(pk=user.pk))

    assert User.objects.get(pk=user.pk).roles == frozenset()


def test_a_user_read_before_a_change_of_roles_cannot_undo_it_by_saving(make_user):
    user = make_user(Role.VIEWER)
    stale = User.objects.get(pk=user.pk)
    assert stale.roles == {Role.VIEWER}
    user.groups.clear()

    stale.first_name = "Late"
    stale.save()

    assert User.objects.get(pk=user.pk).roles == frozenset()


def test_roles_are_read_once_per_roles_epoch(make_user, django_assert_num_queries):
    user = make_user(Role.VIEWER)
    client = bearer(login(user)["access"])
    assert client.get(ME).json()["roles"] == ["viewer"]
    with django_assert_num_queries(1):  # the user; the roles are known for this epoch
        assert client.get(ME).json()["roles"] == ["viewer"]
    user.groups.add(Group.objects.get_or_create(name="sales")[0])
    fresh = bearer(login(user)["access"])
    with django_assert_num_queries(2):  # the user, and the roles of the new epoch
        assert fresh.get(ME).json()["roles"] == ["sales", "viewer"]
