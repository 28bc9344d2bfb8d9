"""Reads on sales orders."""

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from stockyard.sales.models import SalesOrder, SalesOrderLine


def sales_order_list() -> QuerySet[SalesOrder]:
    """Orders with everything the API shows, in a fixed number of queries."""
    return SalesOrder.objects.select_related("customer", "warehouse").prefetch_related(
        Prefetch("lines", queryset=SalesOrderLine.objects.select_related("product"))
    )


def sales_order_lock(*, order_id: int) -> SalesOrder:
    """The order under a row lock, with its lines, for another app's service that changes
    documents of the order (shipments): it then serializes with the order's own
    transitions, which lock the same row first."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sales_order_lock() must run inside the caller's transaction")
    return (
        SalesOrder.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .prefetch_related("lines")
        .get(pk=order_id)
    )
