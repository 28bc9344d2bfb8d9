"""Purchase orders in the Django admin: read-only documents, moved on by actions.

Orders are written only by the services (totals, stock and events depend on it), so the
admin shows them and offers the transitions as actions; it does not edit them directly.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from stockyard.core.errors import ApplicationError
from stockyard.purchasing import services
from stockyard.purchasing.models import PurchaseOrder, PurchaseOrderLine


class ReadOnlyAdmin:
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PurchaseOrderLineInline(ReadOnlyAdmin, admin.TabularInline[PurchaseOrderLine, PurchaseOrder]):
    model = PurchaseOrderLine
    fields = readonly_fields = (
        "product",
        "quantity",
        "quantity_received",
        "unit_cost",
        "tax_rate",
        "line_subtotal",
        "line_tax",
        "line_total",
    )
    extra = 0


def _transition_action(
    name: str, description: str, transition: Callable[[PurchaseOrder, HttpRequest], object]
) -> Callable[[admin.ModelAdmin[PurchaseOrder], HttpRequest, QuerySet[PurchaseOrder]], None]:
    """An admin action applying one service to each selected order, reporting refusals."""

    def run(
        model_admin: admin.ModelAdmin[PurchaseOrder],
        request: HttpRequest,
        queryset: QuerySet[PurchaseOrder],
    ) -> None:
        done = 0
        for order in queryset.order_by("id"):
            try:
                transition(order, request)
            except ApplicationError as exc:
                model_admin.message_user(request, f"{order}: {exc.detail}", messages.ERROR)
            else:
                done += 1
        if done:
            model_admin.message_user(request, f"{done} order(s): {description.lower()}.")

    run.__name__ = name
    return admin.action(description=description)(run)


def _receive_outstanding(order: PurchaseOrder, request: HttpRequest) -> object:
    outstanding = [
        services.LineReceipt(line.pk, line.outstanding)
        for line in order.lines.all()
        if line.outstanding > 0
    ]
    return services.purchase_order_receive(order=order, lines=outstanding, user=request.user)


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin, admin.ModelAdmin[PurchaseOrder]):
    list_display = ["number", "supplier", "warehouse", "status", "order_date", "total"]
    list_filter = ["status", "warehouse"]
    search_fields = ["number", "supplier__name"]
    list_select_related = ["supplier", "warehouse"]
    inlines = [PurchaseOrderLineInline]
    actions = [
        _transition_action(
            "submit",
            "Submit to the supplier",
            lambda order, request: services.purchase_order_submit(order=order, user=request.user),
        ),
        _transition_action(
            "receive_outstanding", "Receive everything outstanding", _receive_outstanding
        ),
        _transition_action(
            "cancel",
            "Cancel",
            lambda order, request: services.purchase_order_cancel(order=order, user=request.user),
        ),
        _transition_action(
            "close",
            "Close (no further receipts)",
            lambda order, request: services.purchase_order_close(order=order, user=request.user),
        ),
    ]
