"""Failed logins are limited per username and per address on every sign-in door, and a
login never holds a database connection while it hashes."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client, override_settings
from rest_framework.test import APIClient

from conftest import PASSWORD
from stockyard.accounts.roles import Role
from stockyard.core.testing import assert_problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_three_failures")]


@pytest.fixture
def _three_failures(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def obtain(username: str, password: str, address: str = "198.51.100.1"):
    return APIClient(REMOTE_ADDR=address).post(
        "/api/v1/auth/token/", {"username": username, "password": password}
    )


def test_a_username_is_locked_whichever_address_the_guesses_come_from(make_user):
    user = make_user(Role.VIEWER)
    statuses = [obtain(user.username, "wrong", f"203.0.113.{n}").status_code for n in range(3)]
    assert statuses == [401, 401, 429]
    locked = obtain(user.username, PASSWORD, "203.0.113.99")
    body = assert_problem(locked, 429, "throttled")
    assert "Too many failed sign-in attempts" in body["detail"]
    assert int(locked["Retry-After"]) > 0


def test_an_address_is_locked_whichever_usernames_it_tries(make_user):
    user = make_user(Role.VIEWER)
    assert [obtain(f"guess-{n}", "wrong").status_code for n in range(3)] == [401, 401, 429]
    assert obtain(user.username, PASSWORD).status_code == 429
    assert obtain(user.username, PASSWORD, "198.51.100.2").status_code == 200


def test_a_success_clears_the_failures(make_user):
    user = make_user(Role.VIEWER)
    for _ in range(2):
        assert obtain(user.username, "wrong").status_code == 401
    assert obtain(user.username, PASSWORD).status_code == 200
    assert obtain(user.username, "wrong").status_code == 401


@pytest.mark.parametrize("path", ["/admin/login/", "/o/login/"])
def test_the_sign_in_pages_are_limited_too(make_user, path):
    user = make_user(Role.ADMIN)
    browser = Client(REMOTE_ADDR="198.51.100.7")
    answers = [
        browser.post(path, {"username": user.username, "password": "wrong"}).status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 429]
    locked = browser.post(path, {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content
    assert obtain(user.username, PASSWORD, "203.0.113.50").status_code == 429


class ConnectionWatchingHasher(MD5PasswordHasher):
    """Records whether this thread held a database connection while checking a password."""

    algorithm = "md5"
    held: list[bool] = []

    def verify(self, password: str, encoded: str) -> bool:
        self.held.append(connection.connection is not None)
        return super().verify(password, encoded)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(PASSWORD_HASHERS=[f"{__name__}.ConnectionWatchingHasher"])
def test_a_login_gives_its_connection_back_while_it_hashes(make_user):
    user = make_user(Role.VIEWER)
    ConnectionWatchingHasher.held.clear()
    assert obtain(user.username, "wrong").status_code == 401
    assert obtain(user.username, PASSWORD).status_code == 200
    assert ConnectionWatchingHasher.held == [False, False]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_free_connection_is_503_with_retry_after(client_for, monkeypatch):
    from psycopg_pool import PoolTimeout

    client = client_for(Role.VIEWER)
    client.raise_request_exception = False  # the 503 is the answer under test
    connection.close()

    def pool_exhausted(*args, **kwargs):
        raise PoolTimeout("couldn't get a connection after 10.00 sec")

    monkeypatch.setattr(connection, "get_new_connection", pool_exhausted)
    read = client.get("/api/v1/warehouses/")
    assert_problem(read, 503, "service_unavailable")
    assert int(read["Retry-After"]) > 0
    # Outside DRF: the idempotency middleware needs the database before any view runs.
    write = client.post("/api/v1/warehouses/", {"code": "W"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert_problem(write, 503, "service_unavailable")
    assert int(write["Retry-After"]) > 0
