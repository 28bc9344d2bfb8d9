"""Demo shipments for ``manage.py seed_demo``, made through the services.

Takes over the confirmed orders the sales demo set aside for shipping and gives them a
pending shipment, a cancelled one, a partial shipment, a complete one on its way, and
one delivered, so shipments and sales orders show every status. Idempotent: shipments
of those orders mean it already ran.
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from stockyard.accounts.models import User
from stockyard.sales.demo import TO_SHIP_MARKER
from stockyard.sales.enums import SalesOrderStatus
from stockyard.sales.models import SalesOrder
from stockyard.sales.services import sales_order_close
from stockyard.shipping import services
from stockyard.shipping.models import Shipment
from stockyard.shipping.services import PackageInput, ShipmentLineInput

Step = Callable[[Shipment, User | None], Shipment]


def _ship(shipment: Shipment, user: User | None) -> Shipment:
    shipment = services.shipment_ship(shipment=shipment, user=user)
    now = timezone.now()
    for hours_ago, status, description, location in (
        (20, "picked_up", "Picked up from the warehouse", "Springfield"),
        (6, "in_transit", "Departed sorting facility", "Chicago, IL"),
    ):
        services.shipment_add_tracking_event(
            shipment=shipment,
            status=status,
            description=description,
            occurred_at=now - timedelta(hours=hours_ago),
            location=location,
            user=user,
        )
    return shipment


def _deliver(shipment: Shipment, user: User | None) -> Shipment:
    return services.shipment_deliver(shipment=shipment, user=user)


def _cancel(shipment: Shipment, user: User | None) -> Shipment:
    return services.shipment_cancel(shipment=shipment, user=user)


def _close_order(shipment: Shipment, user: User | None) -> Shipment:
    sales_order_close(order=shipment.sales_order, user=user)
    return shipment


# In the order the sales demo lists them: (share of each line to ship, steps).
STORIES: list[tuple[Decimal, list[Step]]] = [
    (Decimal(1), []),
    (Decimal(1), [_cancel]),
    (Decimal("0.5"), [_ship]),
    (Decimal(1), [_ship]),
    (Decimal(1), [_ship, _deliver]),
    (Decimal("0.5"), [_ship, _close_order]),
]


def seed() -> list[str]:
    orders = list(
        SalesOrder.objects.filter(notes__startswith=TO_SHIP_MARKER)
        .prefetch_related("lines")
        .order_by("id")
    )
    if Shipment.objects.filter(sales_order__in=orders).exists():
        return ["Shipments: demo shipments exist"]
    ready = [order for order in orders if order.status == SalesOrderStatus.CONFIRMED]
    if len(ready) < len(STORIES):
        return ["Shipments: skipped (needs the confirmed demo sales orders; seed sales first)"]
    user = User.objects.filter(username="warehouse").first()
    lines = []
    for order, (share, steps) in zip(ready, STORIES, strict=False):
        shipment = services.shipment_create(
            sales_order=order,
            lines=[ShipmentLineInput(line, line.quantity * share) for line in order.lines.all()],
            packages=[PackageInput(Decimal("4.2"), Decimal(40), Decimal(30), Decimal(25))],
            carrier="UPS",
            service="ground",
            tracking_number=f"1ZDEMO{order.pk:010d}",
            tracking_url=f"https://www.ups.com/track?tracknum=1ZDEMO{order.pk:010d}",
            user=user,
        )
        for step in steps:
            shipment = step(shipment, user)
        order.refresh_from_db()
        lines.append(
            f"  {shipment.number} {shipment.status:<9} for {order.number} (now {order.status})"
        )
    return ["Shipments (created):", *lines]
