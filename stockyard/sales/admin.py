"""Sales orders in the Django admin: read-only documents, moved on by actions.

Orders are written only by the services (prices, reservations and events depend on it),
so the admin shows them and offers the transitions as actions that call the services.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from stockyard.core.errors import ApplicationError
from stockyard.sales import services
from stockyard.sales.models import SalesOrder, SalesOrderLine

M = TypeVar("M", bound=Model)


class ReadOnlyAdmin:
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def transition_action(
    name: str, description: str, transition: Callable[[M, HttpRequest], object]
) -> Callable[[Any, HttpRequest, QuerySet[M]], None]:
    """An admin action applying one service to each selected document, reporting refusals
    one by one (each runs in its own transaction: one refusal does not undo the others)."""

    def run(model_admin: Any, request: HttpRequest, queryset: QuerySet[M]) -> None:
        done = 0
        for document in queryset.order_by("id"):
            try:
                transition(document, request)
            except ApplicationError as exc:
                model_admin.message_user(request, f"{document}: {exc.detail}", messages.ERROR)
            else:
                done += 1
        if done:
            model_admin.message_user(request, f"{description}: {done} done.")

    run.__name__ = name
    return admin.action(description=description)(run)


class SalesOrderLineInline(ReadOnlyAdmin, admin.TabularInline[SalesOrderLine, SalesOrder]):
    model = SalesOrderLine
    fields = readonly_fields = (
        "product",
        "quantity",
        "quantity_shipped",
        "unit_price",
        "discount_percent",
        "tax_rate",
        "line_subtotal",
        "line_discount",
        "line_tax",
        "line_total",
    )
    extra = 0


@admin.register(SalesOrder)
class SalesOrderAdmin(ReadOnlyAdmin, admin.ModelAdmin[SalesOrder]):
    list_display = ["number", "customer", "warehouse", "status", "order_date", "total"]
    list_filter = ["status", "warehouse"]
    search_fields = ["number", "customer__name"]
    list_select_related = ["customer", "warehouse"]
    date_hierarchy = "order_date"
    inlines = [SalesOrderLineInline]
    actions = [
        transition_action(
            "confirm",
            "Confirm (reserve stock)",
            lambda order, request: services.sales_order_confirm(order=order, user=request.user),
        ),
        transition_action(
            "cancel",
            "Cancel (release stock)",
            lambda order, request: services.sales_order_cancel(order=order, user=request.user),
        ),
    ]
