"""Sales orders in the Django admin: read-only documents, moved on by actions.

Orders are written only by the services (prices, reservations and events depend on it),
so the admin shows them and offers the transitions as actions that call the services.
"""

from django.contrib import admin

from stockyard.core.admin import ReadOnlyAdminMixin, transition_action
from stockyard.sales import returns, services
from stockyard.sales.models import CustomerReturn, CustomerReturnLine, SalesOrder, SalesOrderLine


class SalesOrderLineInline(ReadOnlyAdminMixin, admin.TabularInline[SalesOrderLine, SalesOrder]):
    model = SalesOrderLine
    fields = readonly_fields = (
        "product",
        "quantity",
        "quantity_shipped",
        "quantity_cancelled",
        "quantity_returned",
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
class SalesOrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[SalesOrder]):
    list_display = [
        "number",
        "customer",
        "warehouse",
        "status",
        "allow_backorder",
        "order_date",
        "total",
    ]
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
        transition_action(
            "close",
            "Close (release what is unshipped)",
            lambda order, request: services.sales_order_close(order=order, user=request.user),
        ),
    ]


class CustomerReturnLineInline(
    ReadOnlyAdminMixin, admin.TabularInline[CustomerReturnLine, CustomerReturn]
):
    model = CustomerReturnLine
    fields = readonly_fields = (
        "sales_order_line",
        "quantity",
        "disposition",
        "unit_cost",
        "refund_amount",
        "refund_tax",
    )
    extra = 0


@admin.register(CustomerReturn)
class CustomerReturnAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[CustomerReturn]):
    list_display = ["number", "sales_order", "warehouse", "status", "refund_total", "received_at"]
    list_filter = ["status", "warehouse"]
    search_fields = ["number", "sales_order__number"]
    list_select_related = ["sales_order", "warehouse"]
    inlines = [CustomerReturnLineInline]
    actions = [
        transition_action(
            "receive",
            "Receive (restock or scrap, fix the refund)",
            lambda rma, request: returns.customer_return_receive(
                customer_return=rma, user=request.user
            ),
        ),
        transition_action(
            "cancel",
            "Cancel",
            lambda rma, request: returns.customer_return_cancel(
                customer_return=rma, user=request.user
            ),
        ),
    ]
