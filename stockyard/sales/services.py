"""Writes on sales orders: one function per step of the order's life.

    draft ──confirm──▶ confirmed ──(shipments)──▶ partially_shipped ──▶ shipped ──▶ delivered
      └──────cancel──────┴──▶ cancelled  └──close──▶ closed ◀──close──┘

Each service runs in one transaction, locks the order row first (then, when it needs
them, the customer row and the stock levels), checks the current status, and records an
event in the outbox. Stock changes only through ``inventory.services``. The shipping app
reports shipments and deliveries through ``sales_order_record_shipment`` and
``sales_order_deliver``; it never writes these tables itself.

The services the API answers with (create, update, confirm, cancel) return the order
with its customer, warehouse and lines (with their products) loaded, so the response is
rendered from what the service holds instead of being read back.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from stockyard.accounts.models import Actor, recorded_actor
from stockyard.catalog.models import Product
from stockyard.catalog.selectors import (
    NoExchangeRate,
    exchange_rate_on,
    line_unit_price,
    rate_to_default_currency,
)
from stockyard.catalog.units import unit_quantity_problems
from stockyard.core import errors, pricing
from stockyard.core.compiled import KeyedRead
from stockyard.core.decimals import RATE_PLACES, ZERO, money, rounded
from stockyard.core.models import overflowing, too_large_message, with_loaded
from stockyard.core.statements import execute_together, insert_statement, inserted, update_statement
from stockyard.core.time import business_today
from stockyard.events.services import publish, publishing_statement
from stockyard.inventory.models import Warehouse
from stockyard.inventory.services import (
    Demand,
    Reference,
    StockLine,
    stock_release,
    stock_reserve,
    stock_reserve_or_backorder,
)
from stockyard.partners.models import Customer
from stockyard.reporting import summaries
from stockyard.sales.enums import PaymentState
from stockyard.sales.enums import SalesOrderStatus as Status
from stockyard.sales.models import SalesOrder, SalesOrderLine
from stockyard.sales.selectors import REFERENCE_TYPE, sales_order_lines, sales_order_returned_total

LINE_AMOUNTS = ("line_subtotal", "line_discount", "line_tax", "line_total")
ORDER_AMOUNTS = ("subtotal", "discount_total", "tax_total", "total")
OPEN_STATUSES = (Status.CONFIRMED, Status.PARTIALLY_SHIPPED)
"""Orders that hold the customer's credit: confirmed and not yet fully shipped."""


@dataclass(frozen=True)
class OrderLineInput:
    product: Product
    quantity: Decimal
    unit_price: Decimal | None = None  # None: the product's price
    discount_percent: Decimal = ZERO
    tax_rate: Decimal = ZERO


# --- helpers ----------------------------------------------------------------------------


_LOCKED = KeyedRead(
    lambda key: (
        SalesOrder.objects.select_for_update(of=("self",))
        .select_related("customer", "warehouse")
        .filter(pk=key)
        .order_by()
    )
)


def _lines_read(*, backordered: bool) -> KeyedRead[SalesOrderLine]:
    return KeyedRead(lambda key: sales_order_lines(backordered=backordered).filter(order_id=key))


_LINES = {backordered: _lines_read(backordered=backordered) for backordered in (False, True)}
"""An order's lines (by the order's id), with or without the backorder queue's quantities."""


def _locked(order: SalesOrder) -> SalesOrder:
    """The order re-read under a row lock: every transition starts here. ``order`` may be
    an unsaved stand-in holding only the id (``SalesOrder.DoesNotExist`` when there is no
    such order)."""
    locked = _LOCKED.one(order.pk)
    if locked is None:
        raise SalesOrder.DoesNotExist(f"No sales order {order.pk}.")
    return locked


def _lines(order: SalesOrder) -> list[SalesOrderLine]:
    """The order's lines in id order with their products, loaded onto the order."""
    backordered = order.allow_backorder or order.status != Status.DRAFT
    lines = _LINES[backordered].all(order.pk)
    for line in lines:
        line.order = order
    with_loaded(order, "lines", lines, read_as=sales_order_lines(backordered=backordered))
    return lines


def _reference(order: SalesOrder) -> Reference:
    return Reference(REFERENCE_TYPE, order.pk, order.number or "")


def _demands(order: SalesOrder, lines: Sequence[SalesOrderLine]) -> list[Demand]:
    """What each line still holds in the warehouse: its unshipped rest (reserved or
    waiting in the backorder queue)."""
    return [
        Demand(line.product_id, order.warehouse_id, line.quantity_unshipped, line.pk)
        for line in lines
        if line.quantity_unshipped > 0
    ]


def _order_data(order: SalesOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "customer": order.customer_id,
        "warehouse": order.warehouse_id,
        "currency": order.currency,
        "subtotal": order.subtotal,
        "discount_total": order.discount_total,
        "tax_total": order.tax_total,
        "total": order.total,
    }


def _publish(type: str, order: SalesOrder) -> None:
    publish(type, _order_data(order))


def _inactive(**objects: Customer | Warehouse | None) -> dict[str, list[str]]:
    return {
        field: [f"{obj} is inactive."]
        for field, obj in objects.items()
        if obj is not None and not obj.is_active
    }


def _priced_lines(
    order: SalesOrder, lines: Sequence[OrderLineInput], problems: dict[str, list[str]]
) -> list[SalesOrderLine]:
    """Unsaved lines of ``order`` with their amounts in its currency. Inactive products,
    quantities finer than their unit, prices with no exchange rate to convert them and
    amounts too large to store are added to ``problems``."""
    if not lines:
        problems["lines"] = ["An order needs at least one line."]
    problems.update(
        unit_quantity_problems(
            (f"lines.{index}.quantity", line.product, line.quantity)
            for index, line in enumerate(lines)
        )
    )
    priced = []
    for index, line in enumerate(lines):
        if not line.product.is_active:
            problems[f"lines.{index}.product"] = [f"{line.product.sku} is inactive."]
        try:
            unit_price, rate = line_unit_price(
                line.unit_price,
                list_price=line.product.price,
                product=line.product,
                currency=order.currency,
                on=order.order_date,
            )
        except NoExchangeRate as missing:
            problems[f"lines.{index}.unit_price"] = [missing.detail]
            continue
        amounts = pricing.price_line(
            quantity=line.quantity,
            unit_price=unit_price,
            currency=order.currency,
            discount_percent=line.discount_percent,
            tax_rate=line.tax_rate,
        )
        priced_line = SalesOrderLine(
            order=order,
            product=line.product,
            quantity=line.quantity,
            unit_price=unit_price,
            exchange_rate=rate,
            discount_percent=line.discount_percent,
            tax_rate=line.tax_rate,
            line_subtotal=amounts.subtotal,
            line_discount=amounts.discount,
            line_tax=amounts.tax,
            line_total=amounts.total,
        )
        if overflowing(priced_line, ["unit_price"]):
            problems[f"lines.{index}.unit_price"] = [
                too_large_message(SalesOrderLine, "unit_price")
            ]
        elif overflowing(priced_line, LINE_AMOUNTS):
            problems[f"lines.{index}.quantity"] = ["The line amount is too large to store."]
        priced.append(priced_line)
    return priced


def _record_exchange_rate(order: SalesOrder, problems: dict[str, list[str]]) -> None:
    """The rate reports convert the order's amounts to DEFAULT_CURRENCY with."""
    try:
        order.exchange_rate = rate_to_default_currency(order.currency, on=order.order_date)
    except NoExchangeRate as missing:
        problems.update(missing.errors)


def _refuse_if_any(problems: dict[str, list[str]]) -> None:
    if problems:
        raise errors.ValidationFailed(errors=problems)


def _apply_totals(order: SalesOrder, lines: Sequence[SalesOrderLine]) -> None:
    amounts = pricing.price_order(
        (
            pricing.LineAmounts(
                subtotal=line.line_subtotal,
                discount=line.line_discount,
                tax=line.line_tax,
                total=line.line_total,
            )
            for line in lines
        ),
        currency=order.currency,
    )
    order.subtotal = amounts.subtotal
    order.discount_total = amounts.discount_total
    order.tax_total = amounts.tax_total
    order.total = amounts.total
    if overflowing(order, ORDER_AMOUNTS):
        raise errors.ValidationFailed(errors={"lines": ["The order total is too large to store."]})


def _in_customer_currency(order: SalesOrder, customer: Customer) -> Decimal:
    """The total of ``order`` in ``customer``'s currency: through DEFAULT_CURRENCY at the
    rate the order recorded, then back at today's rate for the customer's currency."""
    if order.currency == customer.currency:
        return order.total
    rate = exchange_rate_on(
        base=customer.currency, quote=settings.DEFAULT_CURRENCY, on=business_today()
    )
    if rate is None:
        raise errors.Conflict(
            f"No exchange rate from {customer.currency} to {settings.DEFAULT_CURRENCY} is "
            "known to check the credit limit with.",
            errors={"customer": ["No exchange rate for the customer's currency."]},
        )
    return money(rounded(order.total * order.exchange_rate, RATE_PLACES) / rate, customer.currency)


def _check_credit(order: SalesOrder) -> None:
    """Open orders of the customer plus this one must stay within the credit limit, all
    in the customer's currency (orders in another currency converted through
    DEFAULT_CURRENCY at the rates they recorded).

    The customer row is locked so two orders of one customer confirmed at the same time
    cannot both slip under the limit (``NO KEY UPDATE``: new orders naming the customer
    are not held up).
    """
    if order.customer.credit_limit is None:
        return
    customer = Customer.objects.select_for_update(no_key=True).get(pk=order.customer_id)
    if customer.credit_limit is None:
        return
    open_orders = SalesOrder.objects.filter(customer=customer, status__in=OPEN_STATUSES)
    open_total = sum(
        (
            _in_customer_currency(open_order, customer)
            for open_order in open_orders.only("currency", "total", "exchange_rate")
        ),
        ZERO,
    )
    this_order = _in_customer_currency(order, customer)
    if open_total + this_order > customer.credit_limit:
        currency = customer.currency
        raise errors.Conflict(
            f"{customer.name} would exceed the credit limit of {customer.credit_limit} "
            f"{currency}: {open_total} {currency} is open and this order is {this_order} "
            f"{currency}.",
            errors={"customer": ["Credit limit exceeded."]},
        )


# --- services ---------------------------------------------------------------------------


@transaction.atomic
def sales_order_create(
    *,
    customer: Customer,
    warehouse: Warehouse,
    lines: Sequence[OrderLineInput],
    user: Actor,
    currency: str | None = None,
    order_date: date | None = None,
    shipping_address: str | None = None,
    notes: str = "",
    allow_backorder: bool = False,
) -> SalesOrder:
    """A draft order. Currency and shipping address default to the customer's, the order
    date to today. ``allow_backorder``: confirming reserves what is available and queues
    the rest instead of refusing."""
    order = SalesOrder(
        customer=customer,
        warehouse=warehouse,
        currency=currency or customer.currency,
        order_date=order_date or business_today(),
        shipping_address=(
            customer.shipping_address if shipping_address is None else shipping_address
        ),
        notes=notes,
        allow_backorder=allow_backorder,
        created_by=recorded_actor(user),
    )
    problems = _inactive(customer=customer, warehouse=warehouse)
    _record_exchange_rate(order, problems)
    priced = _priced_lines(order, lines, problems)
    _refuse_if_any(problems)
    _apply_totals(order, priced)
    # The INSERT ``save()`` would send, without its machinery (no signals are sent).
    inserted([order], execute_together([insert_statement([order], returning_ids=True)]))
    # The number comes from the id, so concurrent orders never collide. It, the lines and
    # the outbox event go in one round trip.
    order.assign_number()
    for line in priced:
        line.order = order  # its id, now that it has one
    statements = [
        update_statement(order, ["number"]),
        publishing_statement([("sales_order.created", _order_data(order))]),
        insert_statement(priced, returning_ids=True),
    ]
    inserted(priced, execute_together(statements))
    return with_loaded(order, "lines", priced)


DRAFT_ONLY_FIELDS = frozenset(
    {"customer", "warehouse", "currency", "order_date", "allow_backorder"}
)


@transaction.atomic
def sales_order_update(
    *, order: SalesOrder, user: Actor, lines: Sequence[OrderLineInput] | None = None, **fields: Any
) -> SalesOrder:
    """Change an order. Lines, customer, warehouse, currency and date only while draft
    (lines given replace all lines); the shipping address until something ships; notes
    always. A new customer brings their shipping address unless one is given."""
    order = _locked(order)
    changed = {name for name, value in fields.items() if getattr(order, name) != value}
    draft_only = sorted(changed & DRAFT_ONLY_FIELDS) + (["lines"] if lines is not None else [])
    if draft_only and order.status != Status.DRAFT:
        raise errors.InvalidTransition(
            f"Sales order {order.number} is {order.status}; only drafts can change "
            f"{', '.join(draft_only)}.",
            errors={name: ["Only editable while the order is a draft."] for name in draft_only},
        )
    if "shipping_address" in changed and order.status not in (Status.DRAFT, Status.CONFIRMED):
        raise errors.InvalidTransition(
            f"Sales order {order.number} is {order.status}; the shipping address is final.",
            errors={"shipping_address": ["Only editable until something ships."]},
        )
    problems = _inactive(**{name: fields[name] for name in changed & {"customer", "warehouse"}})
    if "customer" in changed and "shipping_address" not in fields:
        fields["shipping_address"] = fields["customer"].shipping_address
    for name, value in fields.items():
        setattr(order, name, value)
    if changed & {"currency", "order_date"}:
        _record_exchange_rate(order, problems)
    if "currency" in changed and lines is None:
        problems["lines"] = ["Send the lines again: their prices are in the old currency."]
    priced = None if lines is None else _priced_lines(order, lines, problems)
    _refuse_if_any(problems)
    if priced is not None:
        _apply_totals(order, priced)
        order.lines.all().delete()
        SalesOrderLine.objects.bulk_create(priced)
    order.save()
    _publish("sales_order.updated", order)
    if priced is None:
        _lines(order)
        return order
    return with_loaded(order, "lines", priced)


@transaction.atomic
def sales_order_confirm(*, order: SalesOrder, user: Actor) -> SalesOrder:
    """Draft → confirmed, within the customer's credit limit.

    Every line is reserved in the order's warehouse, or nothing at all
    (``InsufficientStock`` naming the short lines) — unless the order allows backorders:
    then what is available is reserved and the rest of each line queues as its
    ``quantity_backordered``, filled as stock arrives, oldest confirmation first.
    """
    order = _locked(order)
    order.require_status({Status.DRAFT}, "confirm")
    _check_credit(order)
    lines = _lines(order)
    order.confirmed_at = timezone.now()
    if order.allow_backorder:
        backordered = stock_reserve_or_backorder(
            lines=_demands(order, lines),
            reference=_reference(order),
            queued_at=order.confirmed_at,
            user=user,
        )
        for line in lines:
            line.quantity_backordered = backordered[line.pk]
    else:
        # One stock line per order line, in order: shortages come back as
        # lines.<index>.quantity.
        stock_reserve(
            lines=[StockLine(line.product_id, order.warehouse_id, line.quantity) for line in lines],
            reference=_reference(order),
            user=user,
        )
    order.status = Status.CONFIRMED
    # The order, its sales in the summaries (read from the order as just written) and its
    # event go in one round trip.
    statements = [
        update_statement(order, ["status", "confirmed_at", "updated_at"]),
        summaries.sales_order_counting(order),
        publishing_statement([("sales_order.confirmed", _order_data(order))]),
    ]
    execute_together([statement for statement in statements if statement is not None])
    return order


@transaction.atomic
def sales_order_cancel(*, order: SalesOrder, user: Actor) -> SalesOrder:
    """Draft or confirmed → cancelled, giving back what is reserved. Once anything has
    shipped the order can no longer be cancelled."""
    order = _locked(order)
    order.require_status({Status.DRAFT, Status.CONFIRMED}, "cancel")
    lines = _lines(order)
    if order.status == Status.CONFIRMED:
        stock_release(lines=_demands(order, lines), reference=_reference(order), user=user)
        for line in lines:
            line.quantity_backordered = ZERO
        summaries.sales_order_counted(order, sign=-1)
    order.status = Status.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    _publish("sales_order.cancelled", order)
    return order


@transaction.atomic
def sales_order_close(*, order: SalesOrder, user: Actor) -> SalesOrder:
    """Confirmed or partially shipped → closed: the order stops where it is.

    Whatever is still unshipped on each line is released from the warehouse (reserved
    stock given back, backorders dropped from the queue) and recorded as the line's
    ``quantity_cancelled``; the order no longer holds the customer's credit
    (it is not open any more) and nothing more ships against it (a pending shipment of it
    can only be cancelled). Anything else → ``InvalidTransition`` (409).
    """
    order = _locked(order)
    order.require_status(OPEN_STATUSES, "close")
    lines = _lines(order)
    stock_release(lines=_demands(order, lines), reference=_reference(order), user=user)
    rest = [line for line in lines if line.quantity_unshipped > 0]
    for line in rest:
        line.quantity_cancelled += line.quantity_unshipped
        line.quantity_backordered = ZERO
    summaries.sales_order_counted(order, sign=-1)  # what it counted until now ...
    SalesOrderLine.objects.bulk_update(rest, ["quantity_cancelled"])
    summaries.sales_order_counted(order)  # ... becomes what it shipped
    order.status = Status.CLOSED
    order.save(update_fields=["status", "updated_at"])
    _publish("sales_order.closed", order)
    return order


@transaction.atomic
def sales_order_record_shipment(
    *,
    order: SalesOrder,
    quantities: Mapping[int, Decimal],
    unit_costs: Mapping[int, Decimal],
    user: Actor,
) -> SalesOrder:
    """Count goods that left the warehouse against the order's lines (by line id), at
    the unit cost each line's goods left with (what a customer return restocks them at).

    The order becomes ``partially_shipped``, or ``shipped`` once every line is complete.
    The caller (the shipping app) issues the stock itself.
    """
    order = _locked(order)
    order.require_status(OPEN_STATUSES, "ship")
    lines = {line.pk: line for line in order.lines.all()}
    unknown = set(quantities) - set(lines)
    if unknown:
        raise errors.ValidationFailed(
            f"Lines {sorted(unknown)} do not belong to sales order {order.number}."
        )
    for line_id, quantity in quantities.items():
        line = lines[line_id]
        if quantity > line.quantity_unshipped:
            raise errors.Conflict(
                f"Only {line.quantity_unshipped} of line {line_id} are left to ship; "
                f"{quantity} requested."
            )
        line.quantity_shipped += quantity
        line.shipped_cost += quantity * unit_costs[line_id]
    SalesOrderLine.objects.bulk_update(
        [lines[line_id] for line_id in quantities], ["quantity_shipped", "shipped_cost"]
    )
    complete = all(line.quantity_unshipped == 0 for line in lines.values())
    order.status = Status.SHIPPED if complete else Status.PARTIALLY_SHIPPED
    order.save(update_fields=["status", "updated_at"])
    _publish(f"sales_order.{order.status}", order)
    return order


def sales_order_record_payments(
    *, order: SalesOrder, amount_paid: Decimal, any_refunded: bool
) -> SalesOrder:
    """Set what the order has received (``amount_paid``: payments less refunds) and its
    ``payment_status``: ``paid`` once it covers what is owed (``total`` less the refunds
    of received returns), ``partially_paid`` below, ``refunded`` when everything received
    went back, else ``unpaid``. The payments app calls this with the order locked
    (``selectors.sales_order_lock``)."""
    owed = order.total - sales_order_returned_total(order_id=order.pk)
    if amount_paid > 0:
        state = PaymentState.PAID if amount_paid >= owed else PaymentState.PARTIALLY_PAID
    else:
        state = PaymentState.REFUNDED if any_refunded else PaymentState.UNPAID
    order.amount_paid, order.payment_status = amount_paid, state
    order.save(update_fields=["amount_paid", "payment_status", "updated_at"])
    return order


@transaction.atomic
def sales_order_deliver(*, order: SalesOrder, user: Actor) -> SalesOrder:
    """Shipped → delivered: the shipping app calls this when the last shipment arrives."""
    order = _locked(order)
    order.require_status({Status.SHIPPED}, "mark delivered")
    order.status = Status.DELIVERED
    order.save(update_fields=["status", "updated_at"])
    _publish("sales_order.delivered", order)
    return order
