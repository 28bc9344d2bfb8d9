"""Writes on users (creation, updates and role assignment) and OAuth2 clients."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from oauth2_provider.models import RefreshToken as OAuth2RefreshToken

from stockyard.accounts.models import User
from stockyard.accounts.roles import Role
from stockyard.core import errors
from stockyard.core.locks import take_turns


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


def _ensure_username_free(user: User) -> None:
    # Usernames are unique whatever their case: creates and renames of one name take turns.
    take_turns(f"accounts.username:{user.username.lower()}")
    taken = User.objects.filter(username__iexact=user.username).exclude(pk=user.pk)
    if taken.exists():
        raise errors.ValidationFailed(
            "A user with that username already exists.",
            errors={"username": ["A user with that username already exists."]},
        )


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    email: str = "",
    roles: Iterable[Role] = (),
    is_active: bool = True,
) -> User:
    """Create a user. Raises ``ValidationFailed`` for a taken username (whatever its case,
    also when another request takes it at the same moment) or a weak password."""
    user = User(username=username, email=email, is_active=is_active)
    _check_password(password, user)
    user.set_password(password)
    _ensure_username_free(user)
    user.save()
    _assign_roles(user, roles)
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    actor: User | None = None,
    roles: Iterable[Role] | None = None,
    **fields: Any,
) -> User:
    """Change a user's fields, password or roles.

    A new password, a change of roles or of ``is_active`` revokes every token issued to
    the user so far (``accounts.revocation``, whatever path changes them). Raises
    ``Conflict`` when ``actor`` would deactivate themselves or the change would leave no
    active admin; ``ValidationFailed`` for a taken username or a weak password.
    """
    roles = None if roles is None else frozenset(roles)
    deactivating = fields.get("is_active") is False and user.is_active
    if deactivating and actor is not None and actor.pk == user.pk:
        raise errors.Conflict("You cannot deactivate yourself; ask another admin.")
    losing_admin = Role.ADMIN in user.roles and (
        deactivating or (roles is not None and Role.ADMIN not in roles)
    )
    if losing_admin:
        _ensure_another_active_admin(user)
    password = fields.pop("password", None)
    for name, value in fields.items():
        setattr(user, name, value)
    if password is not None:
        _check_password(password, user)
        user.set_password(password)
    if "username" in fields:
        _ensure_username_free(user)
    user.save()
    if roles is not None:
        _assign_roles(user, roles)
    return user


def _ensure_another_active_admin(user: User) -> None:
    # Lock every active admin row: two admins demoting each other at once must not both
    # find the other still there.
    admins = list(
        User.objects.select_for_update()
        .filter(is_active=True, is_superuser=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not any(pk != user.pk for pk in admins):
        raise errors.Conflict(
            "This is the last active admin: make another user admin first.",
            errors={"roles": ["At least one active admin must remain."]},
        )


@transaction.atomic
def user_tokens_revoke(*, user: User) -> None:
    """Invalidate every token issued to ``user`` so far: JWT access and refresh tokens
    (their epoch moves on) and OAuth2 access and refresh tokens."""
    User.objects.filter(pk=user.pk).update(token_epoch=F("token_epoch") + 1)
    user.refresh_from_db(fields=["token_epoch"])
    AccessToken.objects.filter(user=user).delete()
    OAuth2RefreshToken.objects.filter(user=user, revoked__isnull=True).update(
        revoked=timezone.now()
    )


@transaction.atomic
def oauth2_public_client_register(
    *, name: str, redirect_uris: Sequence[str], client_id: str = ""
) -> tuple[Application, bool]:
    """Register (or update) a browser front end as a public OAuth2 client.

    Public: it holds no secret, so the authorization code flow with PKCE S256 is its only
    way in. First-party: users are not asked to approve it. With ``client_id`` the call is
    idempotent (the client is found by it and updated); without, a new id is generated.
    Returns the client and whether it was created.
    """
    application = Application.objects.filter(client_id=client_id).first() if client_id else None
    created = application is None
    if application is None:
        application = Application(client_id=client_id) if client_id else Application()
    application.name = name
    application.redirect_uris = " ".join(redirect_uris)
    application.client_type = Application.CLIENT_PUBLIC
    application.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
    application.skip_authorization = True
    try:
        application.full_clean()
    except DjangoValidationError as exc:
        raise errors.ValidationFailed(errors=exc.message_dict) from exc
    application.save()
    return application, created


CONSOLE_CLIENT_ID = "stockyard-console"
CONSOLE_CALLBACK_PATH = "/app/oauth/callback"


def oauth2_console_client_ensure(*, origin: str) -> Application:
    """The operator console's own public PKCE client, allowed to send codes to
    ``<origin>/app/oauth/callback``.

    ``origin`` is where the console is being served (``https://shop.example``,
    ``http://127.0.0.1:8000``); each origin the server answers on is added to the one
    client ``stockyard-console`` the first time the console is loaded from it, so a
    fresh deployment needs nothing but ``migrate``. Concurrent first loads take turns.
    Raises ``ValidationFailed`` when the origin's scheme is not allowed for redirect URIs
    (``OAUTH2_REDIRECT_URI_SCHEMES``: production allows ``https`` only).
    """
    redirect_uri = origin.rstrip("/") + CONSOLE_CALLBACK_PATH
    client = Application.objects.filter(client_id=CONSOLE_CLIENT_ID).first()
    if client is not None and redirect_uri in client.redirect_uris.split():
        return client
    with transaction.atomic():
        take_turns(f"oauth2-client:{CONSOLE_CLIENT_ID}")
        client = Application.objects.filter(client_id=CONSOLE_CLIENT_ID).first()
        if client is not None and redirect_uri in client.redirect_uris.split():
            return client
        known = client.redirect_uris.split() if client is not None else []
        client, _ = oauth2_public_client_register(
            name="Stockyard console",
            redirect_uris=[*known, redirect_uri],
            client_id=CONSOLE_CLIENT_ID,
        )
        return client
