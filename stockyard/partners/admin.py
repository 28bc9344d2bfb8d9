from typing import TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from stockyard.partners.models import Customer, Supplier

M = TypeVar("M", bound=Model)


class BrowseOnlyAdmin(admin.ModelAdmin[M]):
    """Browse, search and filter; no writes. Catalog and partner changes go through the
    API's services, which check the business rules and publish events: a write here
    would skip both."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(Supplier)
class SupplierAdmin(BrowseOnlyAdmin[Supplier]):
    list_display = ["code", "name", "currency", "lead_time_days", "is_active"]
    list_filter = ["is_active", "currency"]
    search_fields = ["code", "name"]  # the encrypted fields cannot be searched in SQL


@admin.register(Customer)
class CustomerAdmin(BrowseOnlyAdmin[Customer]):
    list_display = ["code", "name", "currency", "credit_limit", "is_active"]
    list_filter = ["is_active", "currency"]
    search_fields = ["code", "name"]  # the encrypted fields cannot be searched in SQL
