"""Writes on users: creation, updates and role assignment."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from stockyard.accounts.models import User
from stockyard.accounts.roles import Role
from stockyard.core import errors


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise errors.ValidationFailed(exc.messages[0], errors={"password": exc.messages}) from exc


def _assign_roles(user: User, roles: Iterable[Role]) -> None:
    roles = frozenset(roles)
    # get_or_create: the groups come from a data migration, but a flushed test database
    # (transactional tests) or a hand-edited one must not silently drop roles.
    user.groups.set([Group.objects.get_or_create(name=role.value)[0] for role in roles])
    # The admin role is the superuser: it may do everything, the Django admin included.
    user.is_staff = user.is_superuser = Role.ADMIN in roles
    user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("roles", None)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    email: str = "",
    roles: Iterable[Role] = (),
    is_active: bool = True,
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise errors.ValidationFailed(
            "A user with that username already exists.",
            errors={"username": ["A user with that username already exists."]},
        )
    user = User(username=username, email=email, is_active=is_active)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    _assign_roles(user, roles)
    return user


@transaction.atomic
def user_update(*, user: User, roles: Iterable[Role] | None = None, **fields: Any) -> User:
    password = fields.pop("password", None)
    for name, value in fields.items():
        setattr(user, name, value)
    if password is not None:
        _check_password(password, user)
        user.set_password(password)
    user.save()
    if roles is not None:
        _assign_roles(user, roles)
    return user
