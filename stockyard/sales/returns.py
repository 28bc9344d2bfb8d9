"""Writes on customer returns (RMA): goods sent back against shipped sales order lines.

    requested ──receive──▶ received
        └──────cancel──────▶ cancelled

A return locks its sales order row first (then the return, then the stock levels), the
order shipments lock too, so a return and a shipment of the same line take turns: no
line is ever returned beyond what has shipped. Stock changes only through
``inventory.services``.

Refunds: each line refunds its share of the order line's ``line_total`` (tax included)
and, within it, of ``line_tax``. Shares are cumulative — the ``n``-th unit back refunds
``money(line_total * n / quantity) - money(line_total * (n - 1) / quantity)`` — so
however a line comes back, in one return or many, its refunds add up to exactly its
``line_total`` when all of it has. ``refund_total`` is worked out when the return is
requested and fixed when it is received (against what was received back before it).
The ``return.received`` event carries it, and once the receipt commits the payments app
pays it back (``payments.tasks.refund_return``, once per return; docs/payments.md).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Sum
from django.utils import timezone

from stockyard.accounts.models import Actor, recorded_actor
from stockyard.catalog.units import require_unit_quantities
from stockyard.core import errors
from stockyard.core.decimals import ZERO, money
from stockyard.core.dispatch import enqueue
from stockyard.events.services import publish
from stockyard.inventory.models import Warehouse
from stockyard.inventory.services import ReceiptLine, Reference, stock_return
from stockyard.reporting import summaries
from stockyard.sales.enums import ReturnDisposition, ReturnStatus
from stockyard.sales.models import CustomerReturn, CustomerReturnLine, SalesOrder, SalesOrderLine
from stockyard.sales.selectors import sales_order_lock

REFERENCE_TYPE = "customer_return"
REFUND_TASK = "stockyard.payments.tasks.refund_return"


@dataclass(frozen=True)
class ReturnLineInput:
    sales_order_line: SalesOrderLine
    quantity: Decimal
    disposition: ReturnDisposition = ReturnDisposition.RESTOCK


# --- helpers ----------------------------------------------------------------------------


def _locked(customer_return: CustomerReturn) -> CustomerReturn:
    return (
        CustomerReturn.objects.select_for_update(of=("self",))
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=CustomerReturnLine.objects.select_related("sales_order_line__order"),
            )
        )
        .get(pk=customer_return.pk)
    )


def _share(amount: Decimal, part: Decimal, whole: Decimal, currency: str) -> Decimal:
    return money(amount * part / whole, currency)


def _refund(line: SalesOrderLine, before: Decimal, quantity: Decimal) -> tuple[Decimal, Decimal]:
    """(amount, tax) refunded for ``quantity`` of ``line`` coming back after ``before``."""
    after = before + quantity

    def part(amount: Decimal) -> Decimal:
        currency = line.order.currency
        return _share(amount, after, line.quantity, currency) - _share(
            amount, before, line.quantity, currency
        )

    return part(line.line_total), part(line.line_tax)


def _price(rows: Sequence[CustomerReturnLine]) -> Decimal:
    """Set each line's refund and cost, as if it came back after everything received
    before; the total refund."""
    for row in rows:
        order_line = row.sales_order_line
        row.refund_amount, row.refund_tax = _refund(
            order_line, order_line.quantity_returned, row.quantity
        )
        row.unit_cost = order_line.shipped_unit_cost
    return sum((row.refund_amount for row in rows), ZERO)


def _open_quantities(order: SalesOrder) -> dict[int, Decimal]:
    """Per order line, what requested (not yet received) returns already claim."""
    rows = (
        CustomerReturnLine.objects.filter(
            customer_return__sales_order=order, customer_return__status=ReturnStatus.REQUESTED
        )
        .values("sales_order_line")
        .annotate(quantity=Sum("quantity"))
    )
    claimed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    claimed.update({row["sales_order_line"]: row["quantity"] for row in rows})
    return claimed


def _check_lines(order: SalesOrder, lines: Sequence[ReturnLineInput]) -> None:
    """Lines of this order, each once, each within what shipped less what is already
    returned or claimed by a requested return (the order row is locked), and within its
    product's unit of measure."""
    problems: dict[str, list[str]] = {}
    if not lines:
        problems["lines"] = ["A return needs at least one line."]
    seen: set[int] = set()
    for index, line in enumerate(lines):
        if line.sales_order_line.order_id != order.pk:
            problems[f"lines.{index}.sales_order_line"] = [
                f"Line {line.sales_order_line.pk} is not a line of sales order {order.number}."
            ]
        elif line.sales_order_line.pk in seen:
            problems[f"lines.{index}.sales_order_line"] = ["Each order line may appear once."]
        seen.add(line.sales_order_line.pk)
    if problems:
        raise errors.ValidationFailed(errors=problems)
    order_lines = {line.pk: line for line in order.lines.select_related("product")}
    require_unit_quantities(
        (f"lines.{index}.quantity", order_lines[line.sales_order_line.pk].product, line.quantity)
        for index, line in enumerate(lines)
    )
    claimed = _open_quantities(order)
    over = {}
    for index, line in enumerate(lines):
        order_line = order_lines[line.sales_order_line.pk]
        left = order_line.quantity_shipped - order_line.quantity_returned - claimed[order_line.pk]
        if line.quantity > left:
            over[f"lines.{index}.quantity"] = [
                f"Only {max(left, ZERO)} of order line {order_line.pk} can come back: "
                f"{order_line.quantity_shipped} shipped, {order_line.quantity_returned} "
                f"returned, {claimed[order_line.pk]} in requested returns."
            ]
    if over:
        raise errors.Conflict(
            f"The return asks for more than was shipped on sales order {order.number}.",
            errors=over,
        )


def _event_data(customer_return: CustomerReturn) -> dict[str, Any]:
    return {
        "id": customer_return.pk,
        "number": customer_return.number,
        "status": customer_return.status,
        "sales_order": customer_return.sales_order_id,
        "warehouse": customer_return.warehouse_id,
        "refund_total": customer_return.refund_total,
        "received_at": customer_return.received_at,
        "lines": [
            {
                "sales_order_line": line.sales_order_line_id,
                "quantity": line.quantity,
                "disposition": line.disposition,
                "refund_amount": line.refund_amount,
            }
            for line in customer_return.lines.all()
        ],
    }


# --- services ---------------------------------------------------------------------------


@transaction.atomic
def customer_return_request(
    *,
    sales_order: SalesOrder,
    lines: Sequence[ReturnLineInput],
    user: Actor,
    warehouse: Warehouse | None = None,
    reason: str = "",
) -> CustomerReturn:
    """A requested return of shipped lines of one order, restocked into ``warehouse``
    (default: the order's).

    Bad lines → ``ValidationFailed``; more than shipped less returned (and less what
    requested returns claim) → ``Conflict`` naming ``lines.<i>.quantity``.
    """
    order = sales_order_lock(order_id=sales_order.pk)
    _check_lines(order, lines)
    warehouse = warehouse or order.warehouse
    if not warehouse.is_active:
        raise errors.ValidationFailed(errors={"warehouse": [f"{warehouse} is inactive."]})
    customer_return = CustomerReturn.objects.create(
        sales_order=order, warehouse=warehouse, reason=reason, created_by=recorded_actor(user)
    )
    # The number comes from the id, so concurrent returns never collide.
    customer_return.assign_number()
    order_lines = {line.pk: line for line in order.lines.all()}
    rows = [
        CustomerReturnLine(
            customer_return=customer_return,
            sales_order_line=order_lines[line.sales_order_line.pk],
            quantity=line.quantity,
            disposition=line.disposition,
        )
        for line in lines
    ]
    customer_return.refund_total = _price(rows)
    customer_return.save(update_fields=["number", "refund_total"])
    CustomerReturnLine.objects.bulk_create(rows)
    publish("return.requested", _event_data(customer_return))
    return customer_return


@transaction.atomic
def customer_return_receive(*, customer_return: CustomerReturn, user: Actor) -> CustomerReturn:
    """Requested → received: ``restock`` lines go back into stock (positive ``return``
    movements at the unit cost the goods left with, which also fills backorders waiting
    there), ``scrap`` lines do not; every line counts as returned on its order line and
    refunds its share. Publishes ``return.received`` with ``refund_total``, and after
    commit queues the refund of ``refund_total`` to what the order was paid."""
    order = sales_order_lock(order_id=customer_return.sales_order_id)
    customer_return = _locked(customer_return)
    customer_return.require_status({ReturnStatus.REQUESTED}, "receive")
    rows = list(customer_return.lines.all())
    order_lines = {line.pk: line for line in order.lines.all()}
    for row in rows:  # the order's lines as locked with it: their returns so far are final
        row.sales_order_line = order_lines[row.sales_order_line_id]
    customer_return.refund_total = _price(rows)
    CustomerReturnLine.objects.bulk_update(rows, ["unit_cost", "refund_amount", "refund_tax"])
    for row in rows:
        row.sales_order_line.quantity_returned += row.quantity
    SalesOrderLine.objects.bulk_update(
        [row.sales_order_line for row in rows], ["quantity_returned"]
    )
    restocked = [row for row in rows if row.disposition == ReturnDisposition.RESTOCK]
    if restocked:
        stock_return(
            lines=[
                ReceiptLine(
                    row.sales_order_line.product_id,
                    customer_return.warehouse_id,
                    row.quantity,
                    row.unit_cost,
                )
                for row in restocked
            ],
            reference=Reference(REFERENCE_TYPE, customer_return.pk, customer_return.number or ""),
            user=user,
        )
    customer_return.status = ReturnStatus.RECEIVED
    customer_return.received_at = timezone.now()
    customer_return.save(update_fields=["status", "received_at", "refund_total", "updated_at"])
    summaries.customer_return_counted(customer_return)
    publish("return.received", _event_data(customer_return))
    if customer_return.refund_total > 0:
        enqueue(REFUND_TASK, customer_return.pk)
    return customer_return


@transaction.atomic
def customer_return_cancel(*, customer_return: CustomerReturn, user: Actor) -> CustomerReturn:
    """Requested → cancelled: the goods are not coming; what the return claimed on its
    order lines can be returned again."""
    sales_order_lock(order_id=customer_return.sales_order_id)
    customer_return = _locked(customer_return)
    customer_return.require_status({ReturnStatus.REQUESTED}, "cancel")
    customer_return.status = ReturnStatus.CANCELLED
    customer_return.save(update_fields=["status", "updated_at"])
    publish("return.cancelled", _event_data(customer_return))
    return customer_return
