"""Writes on purchase orders: one service per step of the buying process.

    draft ──submit──▶ submitted ──receive──▶ partially_received ──receive──▶ received
      │                   │                          │                          │
      └──cancel──▶ cancelled ◀──cancel──┘            └────────close──▶ closed ◀─┘

Received goods can be sent back to the supplier (``purchase_order_return``) from
partially received, received and closed orders; the status does not change.

What unfinished orders still have to deliver is kept per product and warehouse
(``purchasing.on_order``) by every step that changes it, in its transaction.

Every transition locks the order row (``SELECT ... FOR UPDATE``), re-reads it and checks
its status, so two clerks acting on the same order take turns. Receipts go through
``inventory.services.stock_receive`` in the same transaction (the moving-average cost is
updated there); events are recorded in the outbox with the change.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from stockyard.accounts.models import Actor, recorded_actor
from stockyard.catalog.models import Product
from stockyard.catalog.selectors import NoExchangeRate, line_unit_price, rate_to_default_currency
from stockyard.catalog.units import require_unit_quantities, unit_quantity_problems
from stockyard.core import decimals, errors, pricing
from stockyard.core.decimals import ZERO
from stockyard.core.locks import take_turns
from stockyard.core.models import overflowing, too_large_message
from stockyard.core.time import business_today
from stockyard.events.models import Event
from stockyard.events.services import publish
from stockyard.inventory import services as inventory
from stockyard.inventory.models import Warehouse
from stockyard.partners.models import Supplier
from stockyard.purchasing import on_order
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.models import PurchaseOrder, PurchaseOrderLine
from stockyard.purchasing.selectors import ReorderSuggestion, reorder_suggestion_list
from stockyard.reporting import summaries

HUNDRED = Decimal(100)
REFERENCE_TYPE = "purchase_order"
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class OrderLine:
    """A line to order; ``unit_cost`` defaults to the product's cost."""

    product: Product
    quantity: Decimal
    unit_cost: Decimal | None = None
    tax_rate: Decimal = ZERO


@dataclass(frozen=True)
class LineReceipt:
    """Goods that arrived against one line of the order."""

    line_id: int
    quantity: Decimal


SUBMITTABLE = frozenset({Status.DRAFT})
RECEIVABLE = frozenset({Status.SUBMITTED, Status.PARTIALLY_RECEIVED})
CANCELLABLE = frozenset({Status.DRAFT, Status.SUBMITTED})
CLOSABLE = frozenset({Status.PARTIALLY_RECEIVED, Status.RECEIVED})
LINE_AMOUNTS = ("line_subtotal", "line_tax", "line_total")
ORDER_AMOUNTS = ("subtotal", "tax_total", "total")
RETURNABLE = CLOSABLE | {Status.CLOSED}

# What may change on an order once it has left draft.
_ALWAYS_EDITABLE = frozenset({"notes", "expected_date"})
_DRAFT_EDITABLE = _ALWAYS_EDITABLE | {"supplier", "warehouse", "currency", "order_date"}


# --- helpers ----------------------------------------------------------------------------


def _locked(order: PurchaseOrder) -> PurchaseOrder:
    """The order re-read under a row lock: the state every transition decides on."""
    return PurchaseOrder.objects.select_for_update().get(pk=order.pk)


def _event_data(order: PurchaseOrder, **extra: Any) -> dict[str, Any]:
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "supplier": order.supplier_id,
        "warehouse": order.warehouse_id,
        "currency": order.currency,
        "total": order.total,
        **extra,
    }


def _check_partners(*, supplier: Supplier | None, warehouse: Warehouse | None) -> None:
    problems: dict[str, list[str]] = {}
    if supplier is not None and not supplier.is_active:
        problems["supplier"] = [f"Supplier {supplier.code} is inactive."]
    if warehouse is not None and not warehouse.is_active:
        problems["warehouse"] = [f"Warehouse {warehouse.code} is inactive."]
    if problems:
        raise errors.ValidationFailed(next(iter(problems.values()))[0], errors=problems)


def _check_dates(order_date: date, expected_date: date | None) -> None:
    if expected_date is not None and expected_date < order_date:
        raise errors.ValidationFailed(
            "The expected date is before the order date.",
            errors={"expected_date": ["Must not be before order_date."]},
        )


def _priced_lines(order: PurchaseOrder, lines: Sequence[OrderLine]) -> list[PurchaseOrderLine]:
    """Validate the requested lines and price them in the order's currency (the one
    pricing path, ``core.pricing``); a product cost in another currency is converted at
    the rate valid on the order date."""
    problems = unit_quantity_problems(
        (f"lines.{index}.quantity", line.product, line.quantity) for index, line in enumerate(lines)
    )
    priced = []
    for index, line in enumerate(lines):
        if not line.product.is_active:
            problems[f"lines.{index}.product"] = [f"Product {line.product.sku} is inactive."]
        if line.quantity <= 0:
            problems[f"lines.{index}.quantity"] = ["Must be greater than 0."]
        if not ZERO <= line.tax_rate <= HUNDRED:
            problems[f"lines.{index}.tax_rate"] = ["Must be between 0 and 100."]
        try:
            unit_cost, rate = line_unit_price(
                line.unit_cost,
                list_price=line.product.cost,
                product=line.product,
                currency=order.currency,
                on=order.order_date,
            )
        except NoExchangeRate as missing:
            problems[f"lines.{index}.unit_cost"] = [missing.detail]
            continue
        if unit_cost < 0:
            problems[f"lines.{index}.unit_cost"] = ["Must not be negative."]
        amounts = pricing.price_line(
            quantity=line.quantity,
            unit_price=unit_cost,
            currency=order.currency,
            tax_rate=line.tax_rate,
        )
        priced_line = PurchaseOrderLine(
            order=order,
            product=line.product,
            quantity=line.quantity,
            unit_cost=unit_cost,
            exchange_rate=rate,
            tax_rate=line.tax_rate,
            line_subtotal=amounts.subtotal,
            line_tax=amounts.tax,
            line_total=amounts.total,
        )
        if overflowing(priced_line, ["unit_cost"]):
            problems[f"lines.{index}.unit_cost"] = [
                too_large_message(PurchaseOrderLine, "unit_cost")
            ]
        elif overflowing(priced_line, LINE_AMOUNTS):
            problems[f"lines.{index}.quantity"] = ["The line amount is too large to store."]
        priced.append(priced_line)
    if problems:
        raise errors.ValidationFailed("Some lines are invalid.", errors=problems)
    return priced


def _replace_lines(order: PurchaseOrder, lines: Sequence[OrderLine]) -> None:
    priced = _priced_lines(order, lines)
    amounts = pricing.price_order(
        (
            pricing.LineAmounts(
                subtotal=line.line_subtotal, discount=ZERO, tax=line.line_tax, total=line.line_total
            )
            for line in priced
        ),
        currency=order.currency,
    )
    order.subtotal, order.tax_total, order.total = (
        amounts.subtotal,
        amounts.tax_total,
        amounts.total,
    )
    if overflowing(order, ORDER_AMOUNTS):
        raise errors.ValidationFailed(errors={"lines": ["The order total is too large to store."]})
    order.lines.all().delete()
    PurchaseOrderLine.objects.bulk_create(priced)


# --- create and edit --------------------------------------------------------------------


@transaction.atomic
def purchase_order_create(
    *,
    supplier: Supplier,
    warehouse: Warehouse,
    lines: Sequence[OrderLine] = (),
    currency: str | None = None,
    order_date: date | None = None,
    expected_date: date | None = None,
    notes: str = "",
    user: Actor,
) -> PurchaseOrder:
    """A draft order. The currency defaults to the supplier's."""
    _check_partners(supplier=supplier, warehouse=warehouse)
    order_date = order_date or business_today()
    _check_dates(order_date, expected_date)
    order = PurchaseOrder(
        supplier=supplier,
        warehouse=warehouse,
        currency=currency or supplier.currency,
        order_date=order_date,
        expected_date=expected_date,
        notes=notes,
        created_by=recorded_actor(user),
    )
    order.exchange_rate = rate_to_default_currency(order.currency, on=order.order_date)
    order.save()
    order.assign_number()
    with on_order.moving(order):
        _replace_lines(order, lines)
    order.save(update_fields=["number", "subtotal", "tax_total", "total", "updated_at"])
    publish("purchase_order.created", _event_data(order))
    return order


@transaction.atomic
def purchase_order_update(
    *, order: PurchaseOrder, user: Actor, lines: Sequence[OrderLine] | None = None, **changes: Any
) -> PurchaseOrder:
    """Edit a draft (``lines`` replaces every line); later only notes and expected date."""
    unknown = changes.keys() - _DRAFT_EDITABLE
    if unknown:
        raise TypeError(f"Not editable on a purchase order: {', '.join(sorted(unknown))}")
    order = _locked(order)
    changed = {name for name, value in changes.items() if getattr(order, name) != value}
    if order.status != Status.DRAFT and (lines is not None or changed - _ALWAYS_EDITABLE):
        raise errors.InvalidTransition(
            f"{order.number} is {order.status}: only its notes and expected date can change "
            "once it has left draft."
        )
    _check_partners(
        supplier=changes["supplier"] if "supplier" in changed else None,
        warehouse=changes["warehouse"] if "warehouse" in changed else None,
    )
    for name, value in changes.items():
        setattr(order, name, value)
    _check_dates(order.order_date, order.expected_date)
    if changed & {"currency", "order_date"}:
        order.exchange_rate = rate_to_default_currency(order.currency, on=order.order_date)
    if "currency" in changed and lines is None:
        raise errors.ValidationFailed(
            errors={"lines": ["Send the lines again: their costs are in the old currency."]}
        )
    with on_order.moving(order):  # new lines, or the lines to another warehouse
        if lines is not None:
            _replace_lines(order, lines)
        order.save()
    publish("purchase_order.updated", _event_data(order))
    return order


# --- transitions ------------------------------------------------------------------------


@transaction.atomic
def purchase_order_submit(*, order: PurchaseOrder, user: Actor) -> PurchaseOrder:
    """Send a draft to the supplier. Its quantities stay on order (a draft's count)."""
    order = _locked(order)
    order.require_status(SUBMITTABLE, "submit")
    if not order.lines.exists():
        raise errors.InvalidTransition(
            f"{order.number} has no lines: add what to order before submitting it.",
            errors={"lines": ["An order needs at least one line to be submitted."]},
        )
    order.status = Status.SUBMITTED
    order.save(update_fields=["status", "updated_at"])
    summaries.purchase_order_counted(order)
    publish("purchase_order.submitted", _event_data(order))
    return order


def _receipt_problems(
    receipts: Sequence[LineReceipt], lines: dict[int, PurchaseOrderLine], number: str
) -> dict[str, list[str]]:
    """What is malformed in a receipt: unknown or repeated lines, quantities not > 0."""
    if not receipts:
        return {"lines": ["Name at least one line to receive."]}
    problems: dict[str, list[str]] = {}
    seen: set[int] = set()
    for index, receipt in enumerate(receipts):
        if receipt.line_id not in lines:
            problems[f"lines.{index}.line"] = [f"Line {receipt.line_id} is not on {number}."]
        elif receipt.line_id in seen:
            problems[f"lines.{index}.line"] = ["This line is named more than once."]
        seen.add(receipt.line_id)
        if receipt.quantity <= 0:
            problems[f"lines.{index}.quantity"] = ["Must be greater than 0."]
    return problems


def _requested(
    order: PurchaseOrder, requests: Sequence[LineReceipt], what: str
) -> list[tuple[PurchaseOrderLine, Decimal]]:
    """The order's lines (loaded onto the order) paired with the quantities ``requests``
    name for them; a malformed ``what`` (receipt, return) → ``ValidationFailed``."""
    prefetch_related_objects(
        [order], Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("product"))
    )
    order_lines = {line.pk: line for line in order.lines.all()}
    problems = _receipt_problems(requests, order_lines, order.number or "")
    if problems:
        raise errors.ValidationFailed(f"The {what} names invalid lines.", errors=problems)
    requested = [(order_lines[request.line_id], request.quantity) for request in requests]
    require_unit_quantities(
        (f"lines.{index}.quantity", line.product, quantity)
        for index, (line, quantity) in enumerate(requested)
    )
    return requested


def _stock_lines(
    order: PurchaseOrder, moving: Sequence[tuple[PurchaseOrderLine, Decimal]]
) -> list[inventory.ReceiptLine]:
    """Stock lines in the order's warehouse, valued at each order line's unit cost."""
    return [
        inventory.ReceiptLine(line.product_id, order.warehouse_id, quantity, line.unit_cost)
        for line, quantity in moving
    ]


def _moved(moving: Sequence[tuple[PurchaseOrderLine, Decimal]]) -> list[dict[str, Any]]:
    """What an event says moved: ``[{line, product, quantity}]``."""
    return [
        {"line": line.pk, "product": line.product_id, "quantity": decimals.quantity(quantity)}
        for line, quantity in moving
    ]


def _reference(order: PurchaseOrder) -> inventory.Reference:
    return inventory.Reference(REFERENCE_TYPE, order.pk, order.number or "")


@transaction.atomic
def purchase_order_receive(
    *, order: PurchaseOrder, lines: Sequence[LineReceipt], user: Actor
) -> PurchaseOrder:
    """Take delivered goods into the order's warehouse at each line's unit cost.

    Several lines at once, partial quantities allowed. More than a line has outstanding
    is refused and nothing is received.
    """
    order = _locked(order)
    order.require_status(RECEIVABLE, "receive")
    arriving = _requested(order, lines, "receipt")
    excess = {
        f"lines.{index}.quantity": [
            f"Only {line.outstanding} of {line.product.sku} outstanding; cannot receive {quantity}."
        ]
        for index, (line, quantity) in enumerate(arriving)
        if quantity > line.outstanding
    }
    if excess:
        raise errors.Conflict(f"{order.number}: more received than ordered.", errors=excess)

    for line, quantity in arriving:
        line.quantity_received += quantity
    summaries.purchase_order_counted(order, sign=-1)  # what it counted until now ...
    with on_order.moving(order):
        PurchaseOrderLine.objects.bulk_update([line for line, _ in arriving], ["quantity_received"])
    summaries.purchase_order_counted(order)  # ... with what has arrived now
    inventory.stock_receive(
        lines=_stock_lines(order, arriving), reference=_reference(order), user=user
    )
    complete = all(line.outstanding == 0 for line in order.lines.all())
    order.status = Status.RECEIVED if complete else Status.PARTIALLY_RECEIVED
    order.save(update_fields=["status", "updated_at"])
    publish("purchase_order.received", _event_data(order, lines=_moved(arriving)))
    return order


@transaction.atomic
def purchase_order_cancel(*, order: PurchaseOrder, user: Actor) -> PurchaseOrder:
    """Call off an order nothing has been received against."""
    order = _locked(order)
    if order.status in CLOSABLE:
        raise errors.InvalidTransition(
            f"Goods have been received against {order.number}: close it instead of cancelling."
        )
    order.require_status(CANCELLABLE, "cancel")
    if order.status == Status.SUBMITTED:
        summaries.purchase_order_counted(order, sign=-1)
    with on_order.moving(order):
        order.status = Status.CANCELLED
        order.save(update_fields=["status", "updated_at"])
    publish("purchase_order.cancelled", _event_data(order))
    return order


@transaction.atomic
def purchase_order_close(*, order: PurchaseOrder, user: Actor) -> PurchaseOrder:
    """Settle a (partially) received order: nothing more will be received against it."""
    order = _locked(order)
    order.require_status(CLOSABLE, "close")
    with on_order.moving(order):  # what was not received is no longer on order
        order.status = Status.CLOSED
        order.save(update_fields=["status", "updated_at"])
    publish("purchase_order.closed", _event_data(order))
    return order


@transaction.atomic
def purchase_order_return(
    *, order: PurchaseOrder, lines: Sequence[LineReceipt], user: Actor
) -> PurchaseOrder:
    """Send received goods back to the supplier from the order's warehouse.

    Negative ``return`` movements at each line's ``unit_cost`` (the moving-average rule
    is in ``inventory.services.stock_return_to_supplier``); each line counts them as
    ``quantity_returned``. More than received less already returned → ``Conflict``; more
    than is available in the warehouse → ``InsufficientStock``; nothing is returned then.
    """
    order = _locked(order)
    order.require_status(RETURNABLE, "return goods against")
    leaving = _requested(order, lines, "return")
    excess = {
        f"lines.{index}.quantity": [
            f"Only {line.quantity_received - line.quantity_returned} of {line.product.sku} "
            f"received and not yet returned; cannot return {quantity}."
        ]
        for index, (line, quantity) in enumerate(leaving)
        if quantity > line.quantity_received - line.quantity_returned
    }
    if excess:
        raise errors.Conflict(f"{order.number}: more returned than received.", errors=excess)

    for line, quantity in leaving:
        line.quantity_returned += quantity
    PurchaseOrderLine.objects.bulk_update([line for line, _ in leaving], ["quantity_returned"])
    inventory.stock_return_to_supplier(
        lines=_stock_lines(order, leaving), reference=_reference(order), user=user
    )
    order.save(update_fields=["updated_at"])
    publish("purchase_order.returned", _event_data(order, lines=_moved(leaving)))
    return order


# --- reordering -------------------------------------------------------------------------


@dataclass(frozen=True)
class SkippedSuggestion:
    suggestion: ReorderSuggestion
    reason: str


@transaction.atomic
def purchase_order_create_from_suggestions(
    *, warehouse: Warehouse, user: Actor
) -> tuple[list[PurchaseOrder], list[SkippedSuggestion]]:
    """Draft one order per default supplier for the warehouse's reorder suggestions.

    Products without an active default supplier are skipped and returned with the reason.
    Drafts count as on order, so asking again drafts nothing twice; two requests for one
    warehouse take turns, so they cannot both draft the same need either.
    """
    take_turns(f"purchasing.from-suggestions.{warehouse.pk}")
    by_supplier: dict[int, list[ReorderSuggestion]] = {}
    skipped: list[SkippedSuggestion] = []
    suggestions = reorder_suggestion_list(warehouse_id=warehouse.pk)
    suppliers = Supplier.objects.in_bulk({s.supplier for s in suggestions if s.supplier})
    products = Product.objects.in_bulk({s.product for s in suggestions})
    for suggestion in suggestions:
        supplier = suppliers[suggestion.supplier] if suggestion.supplier else None
        if supplier is None:
            skipped.append(SkippedSuggestion(suggestion, "The product has no default supplier."))
        elif not supplier.is_active:
            skipped.append(SkippedSuggestion(suggestion, f"Supplier {supplier.code} is inactive."))
        else:
            by_supplier.setdefault(supplier.pk, []).append(suggestion)
    orders = [
        purchase_order_create(
            supplier=suppliers[supplier_id],
            warehouse=warehouse,
            lines=[OrderLine(products[s.product], s.suggested_quantity) for s in group],
            notes="Drafted from reorder suggestions.",
            user=user,
        )
        for supplier_id, group in by_supplier.items()
    ]
    return orders, skipped


def _already_alerted_today() -> set[tuple[int, int]]:
    # Today as a range of instants, so the index on occurred_at serves it (a cast to a
    # date would read every alert ever recorded).
    day = timezone.localdate()
    start, end = (timezone.make_aware(datetime.combine(d, time.min)) for d in (day, day + ONE_DAY))
    today: QuerySet[Event, Any] = Event.objects.filter(
        type="stock.below_reorder_point", occurred_at__gte=start, occurred_at__lt=end
    ).values_list("data", flat=True)
    return {(data.get("product"), data.get("warehouse")) for data in today}


@transaction.atomic
def reorder_alerts_publish() -> int:
    """Record ``stock.below_reorder_point`` for every suggestion not yet alerted today.

    Safe to run again the same day: pairs already in today's feed (from this or from a
    stock movement crossing the reorder point) are not repeated. Returns how many fired.
    """
    alerted = _already_alerted_today()
    fresh = [s for s in reorder_suggestion_list() if (s.product, s.warehouse) not in alerted]
    for suggestion in fresh:
        publish(
            "stock.below_reorder_point",
            {
                "product": suggestion.product,
                "product_sku": suggestion.product_sku,
                "warehouse": suggestion.warehouse,
                "warehouse_code": suggestion.warehouse_code,
                "available": suggestion.available,
                "on_order": suggestion.on_order,
                "reorder_point": suggestion.reorder_point,
                "suggested_quantity": suggestion.suggested_quantity,
                "supplier": suggestion.supplier,
            },
        )
    return len(fresh)
