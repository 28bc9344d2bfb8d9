"""Password authentication that gives its database connection back while it hashes."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from stockyard.core.database import connection_release


class PasswordBackend(ModelBackend):
    """Django's ``ModelBackend`` that releases the connection before hashing.

    A password hash (Argon2) takes tens of milliseconds of CPU on purpose; a flood of
    wrong passwords held as many pooled connections for that long and starved every other
    request. The user row is read, the connection handed back, then the hash is checked.
    An unknown username still costs one hash, so timing does not tell which names exist.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            connection_release()
            user_model().set_password(password)
            return None
        connection_release()
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
