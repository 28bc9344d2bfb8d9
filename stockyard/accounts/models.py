from functools import cached_property

import pghistory
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models

from stockyard.accounts.roles import Role


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person using Stockyard. Roles are Django groups named after ``Role`` values.

    ``token_epoch`` moves on whenever every token issued so far must stop working
    (``accounts.tokens``).
    """

    token_epoch = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    @cached_property
    def roles(self) -> frozenset[Role]:
        """The user's roles, read once per instance (superusers are admins)."""
        names = {group.name for group in self.groups.all()}
        roles = frozenset(role for role in Role if role.value in names)
        return roles | {Role.ADMIN} if self.is_superuser else roles


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
