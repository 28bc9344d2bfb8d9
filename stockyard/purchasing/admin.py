"""Purchase orders in the Django admin: read-only documents, moved on by actions.

Orders are written only by the services (totals, stock and events depend on it), so the
admin shows them and offers the transitions as actions; it does not edit them directly.
"""

from django.contrib import admin
from django.http import HttpRequest

from stockyard.core.admin import ReadOnlyAdminMixin, transition_action
from stockyard.purchasing import services
from stockyard.purchasing.models import PurchaseOrder, PurchaseOrderLine


class PurchaseOrderLineInline(
    ReadOnlyAdminMixin, admin.TabularInline[PurchaseOrderLine, PurchaseOrder]
):
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


def _receive_outstanding(order: PurchaseOrder, request: HttpRequest) -> object:
    outstanding = [
        services.LineReceipt(line.pk, line.outstanding)
        for line in order.lines.all()
        if line.outstanding > 0
    ]
    return services.purchase_order_receive(order=order, lines=outstanding, user=request.user)


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[PurchaseOrder]):
    list_display = ["number", "supplier", "warehouse", "status", "order_date", "total"]
    list_filter = ["status", "warehouse"]
    search_fields = ["number", "supplier__name"]
    list_select_related = ["supplier", "warehouse"]
    inlines = [PurchaseOrderLineInline]
    actions = [
        transition_action(
            "submit",
            "Submit to the supplier",
            lambda order, request: services.purchase_order_submit(order=order, user=request.user),
        ),
        transition_action(
            "receive_outstanding", "Receive everything outstanding", _receive_outstanding
        ),
        transition_action(
            "cancel",
            "Cancel",
            lambda order, request: services.purchase_order_cancel(order=order, user=request.user),
        ),
        transition_action(
            "close",
            "Close (no further receipts)",
            lambda order, request: services.purchase_order_close(order=order, user=request.user),
        ),
    ]
