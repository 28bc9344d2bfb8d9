"""Reads on shipments."""

from django.db.models import QuerySet

from stockyard.core.documents import documents_with_lines
from stockyard.shipping.models import Shipment, ShipmentLine


def shipment_list(*, lines_limit: int | None = None) -> QuerySet[Shipment]:
    """Shipments with everything the API shows, in a fixed number of queries: all their
    lines, or the first ``lines_limit`` (``core.documents``)."""
    return documents_with_lines(
        Shipment.objects.select_related("sales_order").prefetch_related(
            "packages", "tracking_events"
        ),
        lines=ShipmentLine.objects.select_related("sales_order_line__product"),
        limit=lines_limit,
    )
