from functools import cached_property

import pghistory
from django.contrib.auth.models import AbstractUser, AnonymousUser

from stockyard.accounts.roles import Role


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person using Stockyard. Roles are Django groups named after ``Role`` values."""

    @cached_property
    def roles(self) -> frozenset[Role]:
        """The user's roles, read once per instance (superusers are admins)."""
        names = {group.name for group in self.groups.all()}
        roles = frozenset(role for role in Role if role.value in names)
        return roles | {Role.ADMIN} if self.is_superuser else roles


Actor = User | AnonymousUser | None
"""Who performs an operation: a user, or ``None`` for the system (tasks, commands)."""


def recorded_actor(user: Actor) -> User | None:
    """The user to store in ``created_by`` columns (anonymous and system: nobody)."""
    return user if isinstance(user, User) else None
