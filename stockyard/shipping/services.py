"""Writes on shipments: packing part of a sales order, handing it to a carrier, delivery.

    pending ──ship──▶ shipped ──deliver──▶ delivered
       └──cancel──▶ cancelled

Locks are taken in one order everywhere — the sales order, then the shipment, then the
stock levels — so a shipment and its order's own transitions never deadlock. The sales
order is changed only through ``sales.services``; stock only through
``inventory.services``.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from stockyard.accounts.models import Actor, recorded_actor
from stockyard.catalog.units import require_unit_quantities
from stockyard.core import errors
from stockyard.core.decimals import ZERO
from stockyard.events.services import publish
from stockyard.inventory.services import Reference, StockLine, stock_issue
from stockyard.reporting import summaries
from stockyard.sales.enums import SalesOrderStatus
from stockyard.sales.models import SalesOrder, SalesOrderLine
from stockyard.sales.selectors import sales_order_lock
from stockyard.sales.services import OPEN_STATUSES, sales_order_deliver, sales_order_record_shipment
from stockyard.shipping.enums import ShipmentStatus as Status
from stockyard.shipping.models import Shipment, ShipmentLine, ShipmentPackage, TrackingEvent


@dataclass(frozen=True)
class ShipmentLineInput:
    sales_order_line: SalesOrderLine
    quantity: Decimal


@dataclass(frozen=True)
class PackageInput:
    weight_kg: Decimal
    length_cm: Decimal
    width_cm: Decimal
    height_cm: Decimal


# --- helpers ----------------------------------------------------------------------------


def _locked(shipment: Shipment) -> Shipment:
    return Shipment.objects.select_for_update().get(pk=shipment.pk)


def _publish(type: str, shipment: Shipment, **extra: Any) -> None:
    publish(
        type,
        {
            "id": shipment.pk,
            "number": shipment.number,
            "status": shipment.status,
            "sales_order": shipment.sales_order_id,
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "shipped_at": shipment.shipped_at,
            "delivered_at": shipment.delivered_at,
            **extra,
        },
    )


def _add_packages(shipment: Shipment, packages: Sequence[PackageInput]) -> None:
    ShipmentPackage.objects.bulk_create(
        ShipmentPackage(
            shipment=shipment,
            weight_kg=package.weight_kg,
            length_cm=package.length_cm,
            width_cm=package.width_cm,
            height_cm=package.height_cm,
        )
        for package in packages
    )


def _check_lines_belong(order: SalesOrder, lines: Sequence[ShipmentLineInput]) -> None:
    problems: dict[str, list[str]] = {}
    seen: set[int] = set()
    for index, line in enumerate(lines):
        order_line = line.sales_order_line
        if order_line.order_id != order.pk:
            problems[f"lines.{index}.sales_order_line"] = [
                f"Line {order_line.pk} is not a line of sales order {order.number}."
            ]
        elif order_line.pk in seen:
            problems[f"lines.{index}.sales_order_line"] = ["Each order line may appear once."]
        seen.add(order_line.pk)
    if not lines:
        problems["lines"] = ["A shipment needs at least one line."]
    if problems:
        raise errors.ValidationFailed(errors=problems)


def _pending_quantities(order: SalesOrder) -> dict[int, Decimal]:
    """Per order line, what pending shipments of the order already hold."""
    rows = (
        ShipmentLine.objects.filter(shipment__sales_order=order, shipment__status=Status.PENDING)
        .values("sales_order_line")
        .annotate(quantity=Sum("quantity"))
    )
    pending: dict[int, Decimal] = defaultdict(lambda: ZERO)
    pending.update({row["sales_order_line"]: row["quantity"] for row in rows})
    return pending


def _check_unshipped(order: SalesOrder, lines: Sequence[ShipmentLineInput]) -> None:
    """No line may take more than is reserved for it: ordered, less shipped or cancelled,
    less still backordered, less held by pending shipments (the order row is locked, so
    this cannot race another shipment; a backorder filled meanwhile only frees more), nor
    be finer than its product's unit of measure."""
    order_lines = {line.pk: line for line in order.lines.select_related("product")}
    require_unit_quantities(
        (f"lines.{index}.quantity", order_lines[line.sales_order_line.pk].product, line.quantity)
        for index, line in enumerate(lines)
    )
    pending = _pending_quantities(order)
    over = {}
    for index, line in enumerate(lines):
        order_line = order_lines[line.sales_order_line.pk]
        left = (
            order_line.quantity_unshipped - order_line.quantity_backordered - pending[order_line.pk]
        )
        if line.quantity > left:
            waiting = (
                f" ({order_line.quantity_backordered} backordered)"
                if order_line.quantity_backordered
                else ""
            )
            over[f"lines.{index}.quantity"] = [
                f"Only {max(left, ZERO)} left to ship on order line {order_line.pk}{waiting}."
            ]
    if over:
        raise errors.Conflict(
            f"The shipment asks for more than is left to ship on sales order {order.number}.",
            errors=over,
        )


# --- services ---------------------------------------------------------------------------


@transaction.atomic
def shipment_create(
    *,
    sales_order: SalesOrder,
    lines: Sequence[ShipmentLineInput],
    user: Actor,
    packages: Sequence[PackageInput] = (),
    carrier: str = "",
    service: str = "",
    tracking_number: str = "",
    tracking_url: str = "",
) -> Shipment:
    """A pending shipment of lines of one confirmed (or partly shipped) order."""
    order = sales_order_lock(order_id=sales_order.pk)
    _check_lines_belong(order, lines)
    if order.status not in OPEN_STATUSES:
        raise errors.InvalidTransition(
            f"Sales order {order.number} is {order.status}; only confirmed orders ship."
        )
    _check_unshipped(order, lines)
    shipment = Shipment.objects.create(
        sales_order=order,
        carrier=carrier,
        service=service,
        tracking_number=tracking_number,
        tracking_url=tracking_url,
        created_by=recorded_actor(user),
    )
    # The number comes from the id, so concurrent shipments never collide.
    shipment.assign_number()
    shipment.save(update_fields=["number"])
    _add_packages(shipment, packages)
    ShipmentLine.objects.bulk_create(
        ShipmentLine(
            shipment=shipment, sales_order_line=line.sales_order_line, quantity=line.quantity
        )
        for line in lines
    )
    _publish("shipment.created", shipment)
    return shipment


@transaction.atomic
def shipment_update(
    *,
    shipment: Shipment,
    user: Actor,
    packages: Sequence[PackageInput] | None = None,
    **fields: str,
) -> Shipment:
    """Carrier details until the shipment is cancelled; packages (given ones replace all)
    only while pending."""
    shipment = _locked(shipment)
    shipment.require_status({Status.PENDING, Status.SHIPPED, Status.DELIVERED}, "change")
    if packages is not None and shipment.status != Status.PENDING:
        raise errors.InvalidTransition(
            f"Shipment {shipment.number} is {shipment.status}; its packages are final.",
            errors={"packages": ["Only editable while the shipment is pending."]},
        )
    for name, value in fields.items():
        setattr(shipment, name, value)
    shipment.save()
    if packages is not None:
        shipment.packages.all().delete()
        _add_packages(shipment, packages)
    _publish("shipment.updated", shipment)
    return shipment


@transaction.atomic
def shipment_ship(*, shipment: Shipment, user: Actor) -> Shipment:
    """Pending → shipped: the goods leave the warehouse (stock issued against the order's
    reservation) and count as shipped on the order."""
    order = sales_order_lock(order_id=shipment.sales_order_id)
    shipment = _locked(shipment)
    shipment.require_status({Status.PENDING}, "ship")
    order.require_status(OPEN_STATUSES, "ship")
    lines = list(shipment.lines.select_related("sales_order_line"))
    movements = stock_issue(
        lines=[
            StockLine(line.sales_order_line.product_id, order.warehouse_id, line.quantity)
            for line in lines
        ],
        reference=Reference("shipment", shipment.pk),
        user=user,
    )
    cost = {movement.product_id: movement.unit_cost or ZERO for movement in movements}
    sales_order_record_shipment(
        order=order,
        quantities={line.sales_order_line_id: line.quantity for line in lines},
        unit_costs={
            line.sales_order_line_id: cost[line.sales_order_line.product_id] for line in lines
        },
        user=user,
    )
    shipment.status = Status.SHIPPED
    shipment.shipped_at = timezone.now()
    shipment.save(update_fields=["status", "shipped_at", "updated_at"])
    summaries.shipment_counted(shipment)
    _publish("shipment.shipped", shipment)
    return shipment


@transaction.atomic
def shipment_deliver(*, shipment: Shipment, user: Actor) -> Shipment:
    """Shipped → delivered. The order is delivered once it is fully shipped and every
    shipment of it that was not cancelled has arrived."""
    order = sales_order_lock(order_id=shipment.sales_order_id)
    shipment = _locked(shipment)
    shipment.require_status({Status.SHIPPED}, "deliver")
    shipment.status = Status.DELIVERED
    shipment.delivered_at = timezone.now()
    shipment.save(update_fields=["status", "delivered_at", "updated_at"])
    _publish("shipment.delivered", shipment)
    underway = Shipment.objects.filter(sales_order=order).exclude(
        status__in=[Status.DELIVERED, Status.CANCELLED]
    )
    if order.status == SalesOrderStatus.SHIPPED and not underway.exists():
        sales_order_deliver(order=order, user=user)
    return shipment


@transaction.atomic
def shipment_cancel(*, shipment: Shipment, user: Actor) -> Shipment:
    """Pending → cancelled: nothing left the warehouse, so nothing else changes."""
    shipment = _locked(shipment)
    shipment.require_status({Status.PENDING}, "cancel")
    shipment.status = Status.CANCELLED
    shipment.save(update_fields=["status", "updated_at"])
    _publish("shipment.cancelled", shipment)
    return shipment


@transaction.atomic
def shipment_add_tracking_event(
    *,
    shipment: Shipment,
    status: str,
    description: str,
    occurred_at: datetime,
    user: Actor,
    location: str = "",
) -> TrackingEvent:
    """Append what the carrier reported about a shipment that is on its way or arrived
    (or about to be handed over)."""
    shipment = _locked(shipment)
    shipment.require_status({Status.PENDING, Status.SHIPPED, Status.DELIVERED}, "track")
    event = TrackingEvent.objects.create(
        shipment=shipment,
        status=status,
        description=description,
        occurred_at=occurred_at,
        location=location,
    )
    _publish(
        "shipment.tracking_updated",
        shipment,
        tracking_event={
            "status": event.status,
            "description": event.description,
            "occurred_at": event.occurred_at,
            "location": event.location,
        },
    )
    return event
