"""Whatever changes a user's password, active flag or roles revokes their tokens.

The one place that decides it, at the model layer, so no path escapes it: the API's user
service, the Django admin (change form, password form, actions), ``manage.py
changepassword``, a shell. Three hooks, all calling ``services.user_tokens_revoke``
(when the user was ever issued a token):

- a saved ``User`` whose stored ``password``, ``is_active`` or ``is_superuser`` (the
  admin role) differs from the row it replaces — compared with the database row, so an
  assignment of a hash or a flag counts as much as ``set_password``;
- a change of the user's groups (roles) from either side (``user.groups.add/remove/set/
  clear``, ``group.user_set...``);
- a group renamed or deleted: the roles of its users change with it.

A change of groups also moves the ``roles_epoch`` of every user it touches, token or
not, in the transaction of the change: ``User.roles`` is cached per user and roles epoch
(``models.group_roles``), and the epoch moving is what has it read again.

``QuerySet.update()``, raw SQL and writes of the user-group rows themselves
(``UserRole``) are not seen (no model code runs); the API and the admin never use them.
A user who was never issued a token (a new user getting their first roles) has nothing
to revoke: their token epoch stays.
"""

from typing import Any

from django.contrib.auth.models import Group
from django.db.models import F, QuerySet
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import receiver
from oauth2_provider.models import AccessToken, RefreshToken
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from stockyard.accounts.models import User
from stockyard.accounts.services import user_tokens_revoke

REVOKING_FIELDS = ("password", "is_active", "is_superuser")
_PENDING = "_revoke_tokens_after_save"
_CLEARED = "_users_losing_the_group"
_RENAMED = "_group_renamed"


def _revoke(user: User) -> None:
    """Revoke ``user``'s tokens if any was ever issued (JWT refresh tokens are recorded
    as ``OutstandingToken``s, OAuth2 tokens as rows of their own)."""
    issued = (
        OutstandingToken.objects.filter(user=user).exists()
        or AccessToken.objects.filter(user=user).exists()
        or RefreshToken.objects.filter(user=user, revoked__isnull=True).exists()
    )
    if issued:
        user_tokens_revoke(user=user)


@receiver(pre_save, sender=User)
def _note_revoking_change(sender: type[User], instance: User, **kwargs: Any) -> None:
    written = kwargs.get("update_fields")
    fields = [name for name in REVOKING_FIELDS if written is None or name in written]
    if instance._state.adding or not fields:
        return
    stored = User.objects.filter(pk=instance.pk).values(*fields).first()
    changed = stored is not None and any(stored[name] != getattr(instance, name) for name in fields)
    setattr(instance, _PENDING, changed)


@receiver(post_save, sender=User)
def _revoke_after_save(sender: type[User], instance: User, **_: Any) -> None:
    if instance.__dict__.pop(_PENDING, False):
        _revoke(instance)


@receiver(m2m_changed, sender=User.groups.through)
def _revoke_on_role_change(
    sender: type[Any],
    instance: Any,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **_: Any,
) -> None:
    """``instance`` is the user (``user.groups``) or, ``reverse``, the group
    (``group.user_set``), whose ``pk_set`` then names the users."""
    if action == "pre_clear" and reverse:
        setattr(instance, _CLEARED, list(instance.user_set.values_list("pk", flat=True)))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        if action == "post_clear" or pk_set:
            _roles_changed(User.objects.filter(pk=instance.pk))
            instance.refresh_from_db(fields=["roles_epoch", "token_epoch"])
            instance.__dict__.pop("roles", None)
        return
    user_ids = instance.__dict__.pop(_CLEARED, []) if action == "post_clear" else pk_set or []
    _roles_changed(User.objects.filter(pk__in=user_ids))


def _roles_changed(users: QuerySet[User]) -> None:
    """``users``' groups changed: their roles are to be read again (``roles_epoch``) and
    their tokens revoked."""
    users.update(roles_epoch=F("roles_epoch") + 1)
    for user in users:  # read after the update
        _revoke(user)


@receiver(pre_save, sender=Group)
def _note_group_rename(sender: type[Group], instance: Group, **kwargs: Any) -> None:
    written = kwargs.get("update_fields")
    if instance._state.adding or (written is not None and "name" not in written):
        return
    stored = Group.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
    setattr(instance, _RENAMED, stored is not None and stored != instance.name)


@receiver(post_save, sender=Group)
def _revoke_after_group_rename(sender: type[Group], instance: Group, **_: Any) -> None:
    if instance.__dict__.pop(_RENAMED, False):
        _roles_changed(User.objects.filter(groups=instance))


@receiver(pre_delete, sender=Group)
def _revoke_before_group_delete(sender: type[Group], instance: Group, **_: Any) -> None:
    _roles_changed(User.objects.filter(groups=instance))
