from functools import cached_property, lru_cache
from typing import Any

import pghistory
from django.contrib.auth.models import AbstractUser, AnonymousUser, Group
from django.db import models

from stockyard.accounts.roles import Role


@pghistory.track(exclude=["password", "last_login", "roles_epoch"])
class User(AbstractUser):
    """A person using Stockyard. Roles are Django groups named after ``Role`` values.

    ``token_epoch`` moves on whenever every token issued so far must stop working
    (``accounts.tokens``); ``roles_epoch`` whenever the user's groups change
    (``accounts.revocation``), so their roles are read again (``group_roles``). The
    audit trail records role changes as ``user_role`` rows, not this counter.
    """

    token_epoch = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    roles_epoch = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Django's save, but an update never writes ``roles_epoch`` back: only
        ``accounts.revocation`` moves it, with an UPDATE of its own, and an instance read
        before a change of roles must not put the old epoch back (its cached roles would
        be read again)."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "roles_epoch"
            ]
        super().save(*args, **kwargs)

    @cached_property
    def roles(self) -> frozenset[Role]:
        """The user's roles (superusers are admins): from their groups when these were
        loaded with the user (lists prefetch them), else read once per process for each
        ``roles_epoch`` (``group_roles``)."""
        loaded = getattr(self, "_prefetched_objects_cache", {}).get("groups")
        if loaded is not None:
            roles = roles_named({group.name for group in loaded})
        else:
            roles = group_roles(self.pk, self.roles_epoch) if self.pk else frozenset()
        return roles | {Role.ADMIN} if self.is_superuser else roles


@lru_cache(maxsize=4096)
def group_roles(user_id: int, roles_epoch: int) -> frozenset[Role]:
    """The roles the groups of user ``user_id`` give, read once per process for each of
    the user's ``roles_epoch``: saves a query on every authenticated request.

    Every change of a user's groups moves their ``roles_epoch`` in the transaction of
    the change (``accounts.revocation``), and every request reads the user's row, so the
    first request after a change reads the roles again. A request that read the row
    before a change committed and the groups after it may cache the new roles under the
    old epoch, which no later request asks for.
    """
    return roles_named(set(Group.objects.filter(user__pk=user_id).values_list("name", flat=True)))


def roles_named(group_names: set[str]) -> frozenset[Role]:
    """The roles among ``group_names`` (other groups are no role)."""
    return frozenset(role for role in Role if role.value in group_names)


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class UserRole(User.groups.through):  # type: ignore[name-defined]
    """A role given to a user: a row of the user-group table, written by
    ``user.groups.add/remove/set`` from the API, the admin or a shell. Tracked so that
    granting a role (``create``) and taking it away (``delete``) are in the audit trail
    (``object_type`` ``user_role``; ``changes`` name the ``user`` by id and the role by
    name). The table has no updates: a change of roles deletes and inserts rows."""

    class Meta:
        proxy = True


Actor = User | AnonymousUser | None
"""Who performs an operation: a user, or ``None`` for the system (tasks, commands)."""


def recorded_actor(user: Actor) -> User | None:
    """The user to store in ``created_by`` columns (anonymous and system: nobody)."""
    return user if isinstance(user, User) else None
