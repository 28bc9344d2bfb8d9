"""DRF permission class backed by the role matrix in ``roles.py``.

A view declares ``read_capability`` (GET/HEAD/OPTIONS) and ``write_capability`` (every
other method), and may override single actions with ``action_capabilities``. A view that
declares nothing is open to any authenticated user.
"""

from typing import Any

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


class RolePermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        capability = required_capability(request, view)
        return capability is None or roles_allow(user.roles, capability)
