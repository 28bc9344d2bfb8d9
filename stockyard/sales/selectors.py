"""Reads on sales orders."""

from collections.abc import Collection
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch, QuerySet, Sum

from stockyard.core.decimals import ZERO
from stockyard.core.documents import documents_with_lines
from stockyard.inventory.selectors import backordered_quantity
from stockyard.sales.enums import ReturnStatus
from stockyard.sales.models import CustomerReturn, CustomerReturnLine, SalesOrder, SalesOrderLine

REFERENCE_TYPE = "sales_order"
"""How stock movements, reservations and backorders name a sales order."""


def sales_order_lines(*, backordered: bool = True) -> QuerySet[SalesOrderLine]:
    """Lines with their products and ``quantity_backordered`` (from the backorder queue).

    ``backordered=False`` for the lines of a draft that does not allow backorders: only
    confirming queues a line, so the queue is not read and ``quantity_backordered`` is the
    model's 0.
    """
    lines = SalesOrderLine.objects.select_related("product")
    if not backordered:
        return lines
    return lines.annotate(  # type: ignore[no-redef]
        # Overrides the model's plain attribute (0) with the queued quantity.
        quantity_backordered=backordered_quantity(reference_type=REFERENCE_TYPE)
    )


def sales_order_statuses(ids: Collection[int]) -> dict[int, str]:
    """``{id: status}`` of the sales orders ``ids`` (one query), for inventory's
    ``sales_order.backorder_filled`` events."""
    return dict(SalesOrder.objects.filter(pk__in=ids).values_list("pk", "status"))


def sales_order_list(*, lines_limit: int | None = None) -> QuerySet[SalesOrder]:
    """Orders with everything the API shows, in a fixed number of queries: all their
    lines, or the first ``lines_limit`` (``core.documents``)."""
    return documents_with_lines(
        SalesOrder.objects.select_related("customer", "warehouse"),
        lines=sales_order_lines(),
        limit=lines_limit,
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
        .prefetch_related(Prefetch("lines", queryset=sales_order_lines()))
        .get(pk=order_id)
    )


def sales_order_returned_total(*, order_id: int) -> Decimal:
    """What the order's received returns refund (the sum of their ``refund_total``, in the
    order's currency): the part of ``total`` the customer no longer owes."""
    return CustomerReturn.objects.filter(
        sales_order_id=order_id, status=ReturnStatus.RECEIVED
    ).aggregate(sum=Sum("refund_total", default=ZERO))["sum"]


def customer_return_received(*, return_id: int) -> CustomerReturn | None:
    """The return if it has been received (its ``refund_total`` is then final)."""
    return CustomerReturn.objects.filter(pk=return_id, status=ReturnStatus.RECEIVED).first()


def customer_return_list(*, lines_limit: int | None = None) -> QuerySet[CustomerReturn]:
    """Returns with everything the API shows, in a fixed number of queries: all their
    lines, or the first ``lines_limit`` (``core.documents``)."""
    return documents_with_lines(
        CustomerReturn.objects.select_related("sales_order"),
        lines=CustomerReturnLine.objects.select_related("sales_order_line__order"),
        limit=lines_limit,
    )
