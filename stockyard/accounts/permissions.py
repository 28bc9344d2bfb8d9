"""DRF permission class backed by the role matrix in ``roles.py``.

A view declares ``read_capability`` (GET/HEAD/OPTIONS) and ``write_capability`` (every
other method), and may override single actions with ``action_capabilities``. A view that
declares nothing is open to any authenticated user.

A request made with an OAuth2 access token is narrowed further by the token's scopes:
``read`` for safe methods, ``write`` for the others. JWT and session requests carry no
scopes and are decided by roles alone.
"""

from typing import Any

from oauth2_provider.models import AccessToken
from oauth2_provider.settings import oauth2_settings
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from stockyard.accounts.roles import Capability, roles_allow


def required_capability(request: Request, view: Any) -> Capability | None:
    action = getattr(view, "action", None)
    by_action: dict[str, Capability] = getattr(view, "action_capabilities", {})
    if action in by_action:
        return by_action[action]
    if request.method in SAFE_METHODS:
        return getattr(view, "read_capability", None)
    return getattr(view, "write_capability", None)


def required_scope(request: Request) -> str:
    """The OAuth2 scope a request's method needs."""
    if request.method in SAFE_METHODS:
        return str(oauth2_settings.READ_SCOPE)
    return str(oauth2_settings.WRITE_SCOPE)


def scope_allowed(credentials: object, scope: str) -> bool:
    """Whether ``credentials`` (``request.auth``, or ``BearerGrant.credentials``) allow
    ``scope``: an OAuth2 access token only within its own scopes; JWTs and sessions carry
    none and are decided by roles alone."""
    return not isinstance(credentials, AccessToken) or credentials.allow_scopes([scope])


class RolePermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        scope = required_scope(request)
        if not scope_allowed(request.auth, scope):
            raise PermissionDenied(f"The OAuth2 access token lacks the '{scope}' scope.")
        capability = required_capability(request, view)
        return capability is None or roles_allow(user.roles, capability)
