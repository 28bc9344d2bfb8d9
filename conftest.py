"""Fixtures shared by every app's tests."""

from collections.abc import Callable, Iterator

import pytest
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from stockyard.accounts import services as account_services
from stockyard.accounts.models import User, group_roles
from stockyard.accounts.roles import Role

PASSWORD = "correct-horse-battery-staple"

# Hypothesis checks what the code computes, not how fast: its default 200 ms deadline per
# example failed a rounding property in CI when a busy 2-core machine took 679 ms for one
# example (15 ms when rerun). Speed is measured by the benchmarks under bench/.
hypothesis_settings.register_profile("stockyard", deadline=None)
hypothesis_settings.load_profile("stockyard")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` need row locks and real concurrency: skip them elsewhere."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Throttle counters and cached values must not leak between tests (Redis in CI), nor
    the process's cached roles: a migration test rebuilds the tables, so user ids and
    ``roles_epoch`` start again and a later user would find an earlier one's roles."""
    cache.clear()
    group_roles.cache_clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(*roles: Role, username: str | None = None) -> User:
        name = username or f"{'-'.join(roles) or 'nobody'}-{next(counter)}"
        return account_services.user_create(
            username=name, password=PASSWORD, email=f"{name}@example.com", roles=roles
        )

    return make


@pytest.fixture
def client_for(make_user: Callable[..., User]) -> Callable[..., APIClient]:
    """An API client authenticated with a real JWT as a new user holding ``roles``."""

    def make(*roles: Role) -> APIClient:
        user = make_user(*roles)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def admin_client(client_for: Callable[..., APIClient]) -> APIClient:
    return client_for(Role.ADMIN)


@pytest.fixture
def emitted(db: None) -> Callable[..., list[dict[str, object]]]:
    """The outbox events recorded so far, optionally of one type: ``emitted("stock.changed")``."""
    from stockyard.events.models import Event

    def events(type: str | None = None) -> list[dict[str, object]]:
        rows = Event.objects.order_by("id")
        if type is not None:
            rows = rows.filter(type=type)
        return [event.as_message() for event in rows]

    return events


@pytest.fixture
def test_connection_kept() -> Iterator[None]:
    """The real handler closes the database connection at each request's start and end,
    which would close the test's transaction; Django's own test clients do the same."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)
