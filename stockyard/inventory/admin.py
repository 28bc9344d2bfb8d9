from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from stockyard.core.admin import ReadOnlyAdminMixin
from stockyard.inventory import services
from stockyard.inventory.models import (
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    StockTransfer,
    Warehouse,
)


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin[Warehouse]):
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request: HttpRequest, obj: Warehouse | None = None) -> bool:
        return False  # deactivate instead; the API refuses deleting referenced warehouses

    def save_model(self, request: HttpRequest, obj: Warehouse, form: Any, change: bool) -> None:
        """Through the services, as the API writes: they publish the events and copy a
        new code to the warehouse's stock levels (their order)."""
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.warehouse_update(warehouse=Warehouse.objects.get(pk=obj.pk), **fields)
        else:
            obj.pk = services.warehouse_create(**form.cleaned_data).pk
            obj._state.adding = False


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    list_display = ["product", "warehouse", "on_hand", "reserved", "average_cost", "updated_at"]
    list_filter = ["warehouse"]
    list_select_related = ["product", "warehouse"]
    search_fields = ["product__sku", "product__name"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    list_display = [
        "id",
        "created_at",
        "product",
        "warehouse",
        "kind",
        "quantity",
        "unit_cost",
        "reference_type",
        "reference_id",
        "created_by",
    ]
    list_filter = ["kind", "warehouse"]
    list_select_related = ["product", "warehouse", "created_by"]
    search_fields = ["product__sku", "reference_type"]
    date_hierarchy = "created_at"


@admin.register(StockTransfer)
class StockTransferAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    list_display = ["id", "product", "from_warehouse", "to_warehouse", "quantity", "created_at"]
    list_select_related = ["product", "from_warehouse", "to_warehouse"]


class StockCountLineInline(ReadOnlyAdminMixin, admin.TabularInline[StockCountLine, StockCount]):
    model = StockCountLine
    extra = 0
    fields = readonly_fields = ("product", "counted_quantity", "expected_quantity")


@admin.register(StockCount)
class StockCountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    list_display = ["id", "warehouse", "created_at", "created_by"]
    inlines = [StockCountLineInline]
