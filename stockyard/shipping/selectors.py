"""Reads on shipments."""

from django.db.models import Prefetch, QuerySet

from stockyard.shipping.models import Shipment, ShipmentLine


def shipment_list() -> QuerySet[Shipment]:
    """Shipments with everything the API shows, in a fixed number of queries."""
    return Shipment.objects.select_related("sales_order").prefetch_related(
        "packages",
        Prefetch(
            "lines",
            queryset=ShipmentLine.objects.select_related("sales_order_line__product"),
        ),
        "tracking_events",
    )
