"""Roles and what each may do: the one permission matrix every API uses.

A view names a *capability* for each of its actions; ``RolePermission`` grants the
request when one of the user's roles holds it. Superusers and the ``admin`` role hold
every capability.
"""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    MANAGER = "manager", "Manager"
    PURCHASING = "purchasing", "Purchasing"
    SALES = "sales", "Sales"
    WAREHOUSE = "warehouse", "Warehouse"
    VIEWER = "viewer", "Viewer"


class Capability(models.TextChoices):
    CATALOG_VIEW = "catalog.view"
    CATALOG_MANAGE = "catalog.manage"
    BUSINESS_VIEW = "business.view"
    SUPPLIERS_MANAGE = "suppliers.manage"
    CUSTOMERS_MANAGE = "customers.manage"
    WAREHOUSES_MANAGE = "warehouses.manage"
    STOCK_MOVE = "stock.move"
    PURCHASING_MANAGE = "purchasing.manage"
    PURCHASING_RECEIVE = "purchasing.receive"
    SALES_MANAGE = "sales.manage"
    SHIPPING_MANAGE = "shipping.manage"
    RETURNS_MANAGE = "returns.manage"
    REPORTS_VIEW = "reports.view"
    REPORTS_EXPORT = "reports.export"
    SCHEDULES_MANAGE = "schedules.manage"
    WEBHOOKS_MANAGE = "webhooks.manage"
    EVENTS_VIEW = "events.view"
    USERS_MANAGE = "users.manage"
    AUDIT_VIEW = "audit.view"
    FEEDBACK_VIEW = "feedback.view"


_EVERY_ROLE = frozenset(Role)
_BUSINESS = frozenset({Role.MANAGER})

MATRIX: dict[Capability, frozenset[Role]] = {
    Capability.CATALOG_VIEW: _EVERY_ROLE,
    Capability.CATALOG_MANAGE: _BUSINESS | {Role.PURCHASING},
    Capability.BUSINESS_VIEW: _EVERY_ROLE,
    Capability.SUPPLIERS_MANAGE: _BUSINESS | {Role.PURCHASING},
    Capability.CUSTOMERS_MANAGE: _BUSINESS | {Role.SALES},
    Capability.WAREHOUSES_MANAGE: _BUSINESS,
    Capability.STOCK_MOVE: _BUSINESS | {Role.WAREHOUSE},
    Capability.PURCHASING_MANAGE: _BUSINESS | {Role.PURCHASING},
    Capability.PURCHASING_RECEIVE: _BUSINESS | {Role.PURCHASING, Role.WAREHOUSE},
    Capability.SALES_MANAGE: _BUSINESS | {Role.SALES},
    Capability.SHIPPING_MANAGE: _BUSINESS | {Role.WAREHOUSE},
    Capability.RETURNS_MANAGE: _BUSINESS | {Role.SALES, Role.WAREHOUSE},
    Capability.REPORTS_VIEW: _BUSINESS | {Role.PURCHASING, Role.SALES, Role.WAREHOUSE},
    Capability.REPORTS_EXPORT: _BUSINESS | {Role.PURCHASING, Role.SALES, Role.WAREHOUSE},
    Capability.SCHEDULES_MANAGE: _BUSINESS,
    Capability.WEBHOOKS_MANAGE: _BUSINESS,
    Capability.EVENTS_VIEW: _EVERY_ROLE,
    Capability.USERS_MANAGE: frozenset(),
    Capability.AUDIT_VIEW: _BUSINESS,
    Capability.FEEDBACK_VIEW: _BUSINESS,
}


def roles_granting(capability: Capability) -> frozenset[Role]:
    return MATRIX[capability] | {Role.ADMIN}


def roles_allow(roles: frozenset[Role], capability: Capability) -> bool:
    return Role.ADMIN in roles or not roles.isdisjoint(MATRIX[capability])


def capabilities_of(roles: frozenset[Role]) -> list[Capability]:
    """What ``roles`` together may do, in the matrix's order (for clients that hide what a
    user may not use)."""
    return [capability for capability in Capability if roles_allow(roles, capability)]
