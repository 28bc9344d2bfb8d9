"""Every change to stock goes through here: the one way to write the ledger.

Each operation runs in one transaction that
1. makes sure the stock-level rows exist, then locks them with ``SELECT ... FOR UPDATE``
   in primary-key order (so two operations touching the same rows never deadlock),
2. checks the change against the locked values (refusing with ``InsufficientStock``),
3. updates the levels and appends ``StockMovement`` rows,
4. publishes ``stock.changed`` (and ``stock.below_reorder_point`` when available stock
   falls to or under the product's reorder point) to the outbox.
Database CHECK constraints (``on_hand >= 0``, ``0 <= reserved <= on_hand``) back it all.

Backorders: whenever an operation raises a level's available stock (a receipt, a positive
adjustment or count, a transfer in, a customer return, a released reservation), the
lines queued on that level (``StockBackorder``) are reserved for first, oldest
``queued_at`` first, before the transaction commits. So stock is never available while a
backorder waits for it, and nothing can take it ahead of the queue.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from stockyard.accounts.models import Actor, recorded_actor
from stockyard.catalog.models import Product
from stockyard.catalog.units import UnitQuantity, require_unit_quantities
from stockyard.core import decimals, errors
from stockyard.core.compiled import KeyedRead
from stockyard.core.decimals import ZERO, price
from stockyard.core.models import delete_unreferenced, overflowing, save_unique, too_large_message
from stockyard.core.statements import Statement, execute_together, insert_statement, inserted
from stockyard.events.services import publish, publishing_statement
from stockyard.inventory import documents
from stockyard.inventory.enums import MovementKind
from stockyard.inventory.models import (
    StockBackorder,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    StockTransfer,
    Warehouse,
)

LevelKey = tuple[int, int]  # (product_id, warehouse_id)
_LEVEL_FIELDS = ["on_hand", "reserved", "average_cost", "updated_at"]  # what postings change


@dataclass(frozen=True)
class Reference:
    """The document a movement belongs to, e.g. ``Reference("sales_order", 12)``; its
    human ``number`` names it in backorder events."""

    type: str
    id: int
    number: str = ""


@dataclass(frozen=True)
class StockLine:
    product_id: int
    warehouse_id: int
    quantity: Decimal

    @property
    def key(self) -> LevelKey:
        return (self.product_id, self.warehouse_id)


@dataclass(frozen=True)
class Demand(StockLine):
    """Stock one line of a document wants; ``line_id`` names it in the backorder queue."""

    line_id: int


@dataclass(frozen=True)
class ReceiptLine(StockLine):
    unit_cost: Decimal


@dataclass(frozen=True)
class CountLine:
    product_id: int
    counted_quantity: Decimal


# --- locking and bookkeeping ------------------------------------------------------------


def _lock_levels(keys: Iterable[LevelKey]) -> dict[LevelKey, StockLevel]:
    """Lock the stock levels of ``keys`` in primary-key order, creating missing ones first;
    each comes with its product and warehouse, read by the same statement."""
    return _locked(sorted(set(keys)), related=("product", "warehouse"))


def _lock_level(product: Product, warehouse: Warehouse) -> StockLevel:
    """The stock level of ``product`` in ``warehouse``, locked as ``_lock_levels`` locks,
    with the product and warehouse the caller has just read: the locking statement joins
    neither, so it costs less and the lock is taken sooner."""
    key = (product.pk, warehouse.pk)
    level = _locked([key], related=())[key]
    level.product, level.warehouse = product, warehouse
    return level


def _locked(ordered: list[LevelKey], related: tuple[str, ...]) -> dict[LevelKey, StockLevel]:
    """A new level copies its product's reorder point and SKU and its warehouse's code
    (``StockLevel``) with the product and warehouse rows locked, in that order, so a
    change of them (``stock_level_product_copy``, ``stock_level_warehouse_copy``) either
    waits for it or is seen by it."""
    levels = _select_for_update(ordered, related)
    if len(levels) < len(ordered):
        missing = [(p, w) for p, w in ordered if (p, w) not in levels]
        products = {
            pk: (point, sku)
            for pk, point, sku in Product.objects.select_for_update(no_key=True)
            .filter(pk__in={p for p, _ in missing})
            .order_by("pk")
            .values_list("pk", "reorder_point", "sku")
        }
        codes = dict(
            Warehouse.objects.select_for_update(no_key=True)
            .filter(pk__in={w for _, w in missing})
            .order_by("pk")
            .values_list("pk", "code")
        )
        StockLevel.objects.bulk_create(  # sorted, so racing creators insert in one order
            [
                StockLevel(
                    product_id=p,
                    warehouse_id=w,
                    reorder_point=products[p][0],
                    product_sku=products[p][1],
                    warehouse_code=codes[w],
                )
                for p, w in missing
            ],
            ignore_conflicts=True,
        )
        levels = _select_for_update(ordered, related)
    return levels


def stock_level_product_copy(*, product: Product) -> None:
    """Give ``product``'s levels its reorder point and SKU (as ``product`` holds them)
    with one UPDATE, in the transaction that changes them. Called before the product row
    is written and again after: the first locks the levels before the product, in the
    order stock operations lock them (levels, then the product when creating one), so
    the two never deadlock; the second sets a level created meanwhile."""
    StockLevel.objects.filter(product=product).exclude(
        reorder_point=product.reorder_point, product_sku=product.sku
    ).update(reorder_point=product.reorder_point, product_sku=product.sku)


def stock_level_warehouse_copy(*, warehouse: Warehouse) -> None:
    """Give ``warehouse``'s levels its code, as ``stock_level_product_copy`` gives them
    their product's SKU (before the warehouse row is written and again after)."""
    StockLevel.objects.filter(warehouse=warehouse).exclude(warehouse_code=warehouse.code).update(
        warehouse_code=warehouse.code
    )


LevelGroups = tuple[tuple[int, tuple[int, ...]], ...]
"""Level keys grouped per warehouse: ``((warehouse, (product, ...)), ...)``."""


def _grouped(keys: Iterable[LevelKey]) -> LevelGroups:
    """``keys`` per warehouse, warehouses and their products in the order first seen."""
    products_by_warehouse: dict[int, list[int]] = defaultdict(list)
    for product, warehouse in keys:
        products_by_warehouse[warehouse].append(product)
    return tuple(
        (warehouse, tuple(products)) for warehouse, products in products_by_warehouse.items()
    )


def _matching_groups(groups: LevelGroups) -> Q:
    """Rows of the levels of ``groups``: one IN per warehouse, cheaper than one pair per
    level."""
    matching = Q()
    for warehouse, products in groups:
        matching |= Q(warehouse_id=warehouse, product_id__in=products)
    return matching


def _matching(keys: Iterable[LevelKey]) -> Q:
    """Rows of the levels ``keys`` (``_matching_groups``)."""
    return _matching_groups(_grouped(keys))


def _levels_locking(related: tuple[str, ...]) -> KeyedRead[StockLevel]:
    levels = StockLevel.objects.select_for_update(of=("self",))
    if related:  # (no names would follow every foreign key)
        levels = levels.select_related(*related)
    return KeyedRead(lambda groups: levels.filter(_matching_groups(groups)).order_by("pk"))


_LEVELS_LOCKING: dict[tuple[str, ...], KeyedRead[StockLevel]] = {
    related: _levels_locking(related) for related in (("product", "warehouse"), ())
}
"""The levels of some ``LevelGroups`` locked in primary-key order, with their product and
warehouse or with neither: compiled once per process and shape of groups (the ORM built
and compiled the locking query for every confirmed order, ~8 % of its CPU)."""


def _select_for_update(
    keys: list[LevelKey], related: tuple[str, ...]
) -> dict[LevelKey, StockLevel]:
    """Lock the levels of ``keys`` (those that exist); ``related``: ``("product",
    "warehouse")`` or ``()``."""
    if not keys:
        return {}
    ordered = _LEVELS_LOCKING[related].all(_grouped(keys))
    return {(level.product_id, level.warehouse_id): level for level in ordered}


def _positive(quantity: Decimal, field: str = "quantity") -> None:
    if quantity <= 0:
        raise errors.ValidationFailed(
            "Quantities must be greater than zero.", errors={field: ["Must be greater than 0."]}
        )


def _shortage(level: StockLevel, wanted: Decimal, have: Decimal, what: str) -> str:
    return (
        f"Only {have} of {level.product.sku} {what} in warehouse {level.warehouse.code}; "
        f"{wanted} requested."
    )


@dataclass(frozen=True)
class _Fill:
    """Stock just reserved for a backorder (whose ``quantity`` is what still waits)."""

    backorder: StockBackorder
    quantity: Decimal


class _Posting:
    """Collects the level changes and movements of one operation, then writes them."""

    def __init__(
        self, levels: dict[LevelKey, StockLevel], *, user: Actor, reference: Reference | None
    ):
        self.levels = levels
        self.user = recorded_actor(user)
        self.reference = reference
        self.movements: list[StockMovement] = []
        self.touched: set[LevelKey] = set()
        self._available_before = {key: level.available for key, level in levels.items()}

    def reserve(self, key: LevelKey, quantity: Decimal) -> None:
        """Reserve (positive) or release (negative) stock on one level."""
        self.levels[key].reserved += quantity
        self.touched.add(key)

    def move(
        self,
        key: LevelKey,
        quantity: Decimal,
        kind: MovementKind,
        *,
        unit_cost: Decimal | None = None,
        reason: str = "",
        note: str = "",
        field: str = "quantity",
    ) -> StockMovement:
        """Post ``quantity`` (signed) on one level. The one costing rule: stock leaving
        goes at the average cost (or the cost it carries: a return to the supplier, whose
        caller moves the average back); stock arriving at ``unit_cost`` when the movement
        carries one (a receipt, a transfer from elsewhere), else the average cost, else
        the product's cost, and the average follows. An ``on_hand`` too large for its
        column is refused at ``field``."""
        level = self.levels[key]
        if quantity > 0:
            if unit_cost is None:
                unit_cost = level.average_cost or level.product.cost
            level.average_cost = _moving_average(level, quantity, unit_cost)
        elif unit_cost is None:  # a supplier return leaves at its purchase cost
            unit_cost = level.average_cost
        level.on_hand += quantity
        if overflowing(level, ["on_hand"]):
            raise errors.ValidationFailed(
                f"{level.product.sku} would hold more than can be stored in "
                f"{level.warehouse.code}.",
                errors={field: [too_large_message(StockLevel, "on_hand")]},
            )
        self.touched.add(key)
        movement = StockMovement(
            product=level.product,
            warehouse=level.warehouse,
            quantity=quantity,
            kind=kind,
            reference_type=self.reference.type if self.reference else "",
            reference_id=self.reference.id if self.reference else None,
            unit_cost=unit_cost,
            created_by=self.user,
            reason=reason,
            note=note,
        )
        self.movements.append(movement)
        return movement

    def commit(self) -> list[StockMovement]:
        """Fill the backorders waiting on levels whose available stock rose, then write, in
        one round trip while the levels are locked, the touched levels (one UPDATE), the
        events (one INSERT: ``stock.changed`` per touched level in the order of their
        keys, each followed by ``stock.below_reorder_point`` if the level just fell to its
        product's reorder point, then ``<document>.backorder_filled`` per document served)
        and the movements (one INSERT, answering their ids)."""
        filled = self._fill_backorders()
        keys = sorted(self.touched)
        if not keys:
            return []
        events = [
            *(
                event
                for key in keys
                for event in _level_events(self.levels[key], self._available_before[key])
            ),
            *filled,
        ]
        statements = [
            _levels_update([self.levels[key] for key in keys]),
            publishing_statement(events),
        ]
        if self.movements:
            statements.append(insert_statement(self.movements, returning_ids=True))
        inserted(self.movements, execute_together(statements))
        return self.movements

    def _fill_backorders(self) -> list[tuple[str, dict[str, Any]]]:
        """Reserve for the queue of every level whose available stock rose, oldest first;
        answer one ``<document>.backorder_filled`` event per document served."""
        risen = [
            key
            for key in sorted(self.touched)
            if self.levels[key].available > max(self._available_before[key], ZERO)
        ]
        if not risen:
            return []
        queue = StockBackorder.objects.select_for_update().filter(_matching(risen))
        served: dict[tuple[str, int], list[_Fill]] = defaultdict(list)
        done: list[StockBackorder] = []
        partly: list[StockBackorder] = []
        for backorder in queue.order_by("queued_at", "id"):
            key = (backorder.product_id, backorder.warehouse_id)
            take = min(backorder.quantity, self.levels[key].available)
            if take <= 0:
                continue
            self.reserve(key, take)
            backorder.quantity -= take
            (partly if backorder.quantity else done).append(backorder)
            served[(backorder.reference_type, backorder.reference_id)].append(
                _Fill(backorder, take)
            )
        StockBackorder.objects.filter(pk__in=[backorder.pk for backorder in done]).delete()
        StockBackorder.objects.bulk_update(partly, ["quantity"])
        ids_by_type: dict[str, set[int]] = defaultdict(set)
        for reference_type, reference_id in served:
            ids_by_type[reference_type].add(reference_id)
        status = {
            (reference_type, reference_id): found
            for reference_type, ids in ids_by_type.items()
            for reference_id, found in documents.statuses(reference_type, ids).items()
        }
        return [_backorder_filled(fills, status.get(key)) for key, fills in served.items()]


def _levels_update(levels: Sequence[StockLevel]) -> Statement:
    """The UPDATE saving what postings change on ``levels`` (at least one), however many.

    ``bulk_update`` issues the same statement but builds its CASE expressions through the
    ORM, at three times the CPU of saving the levels one by one; written out, the statement
    costs less than a single ``save()``. Values are prepared by the model fields, as
    ``save()`` prepares them, and ``updated_at`` moves as ``auto_now`` would move it.
    """
    now = timezone.now()
    for level in levels:
        level.updated_at = now
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    pk = quote(StockLevel._meta.pk.column)
    whens = " ".join(["WHEN %s THEN %s"] * len(levels))
    assignments, params = [], []
    for field in [f for f in StockLevel._meta.concrete_fields if f.name in _LEVEL_FIELDS]:
        assignments.append(f"{quote(field.column)} = CASE {pk} {whens} END")
        for level in levels:
            value = field.get_db_prep_save(getattr(level, field.attname), connection)
            params += [level.pk, value]
    ids = ", ".join(["%s"] * len(levels))
    return (
        f"UPDATE {quote(StockLevel._meta.db_table)} SET {', '.join(assignments)} "
        f"WHERE {pk} IN ({ids})",
        [*params, *(level.pk for level in levels)],
    )


def _level_events(level: StockLevel, available_before: Decimal) -> list[tuple[str, dict[str, Any]]]:
    """``stock.changed`` for a level just written, then ``stock.below_reorder_point`` when
    its available stock has just fallen to or under the product's reorder point."""
    events: list[tuple[str, dict[str, Any]]] = [
        (
            "stock.changed",
            {
                "product": level.product_id,
                "product_sku": level.product.sku,
                "warehouse": level.warehouse_id,
                "warehouse_code": level.warehouse.code,
                "on_hand": level.on_hand,
                "reserved": level.reserved,
                "available": level.available,
            },
        )
    ]
    reorder_point = level.product.reorder_point
    if reorder_point > 0 and available_before > reorder_point >= level.available:
        events.append(("stock.below_reorder_point", _below_reorder_point_data(level)))
    return events


def _backorder_filled(fills: list[_Fill], status: str | None) -> tuple[str, dict[str, Any]]:
    """``<document>.backorder_filled`` for the lines of one document just served, with the
    document's current ``status`` (``inventory.documents``; null if none is known)."""
    first = fills[0].backorder
    return (
        f"{first.reference_type}.backorder_filled",
        {
            "id": first.reference_id,
            "number": first.reference_number,
            "status": status,
            "warehouse": first.warehouse_id,
            "lines": [
                {
                    "line": fill.backorder.line_id,
                    "product": fill.backorder.product_id,
                    "quantity_filled": decimals.quantity(fill.quantity),
                    "quantity_backordered": decimals.quantity(fill.backorder.quantity),
                }
                for fill in fills
            ],
        },
    )


def _below_reorder_point_data(level: StockLevel) -> dict[str, Any]:
    return {
        "product": level.product_id,
        "product_sku": level.product.sku,
        "warehouse": level.warehouse_id,
        "warehouse_code": level.warehouse.code,
        "available": level.available,
        "reorder_point": level.product.reorder_point,
    }


def _moving_average(level: StockLevel, quantity: Decimal, unit_cost: Decimal) -> Decimal:
    """Average cost after ``quantity`` arrives at ``unit_cost`` (before on_hand moves)."""
    total = level.on_hand + quantity
    if total <= 0:
        return level.average_cost
    value = level.on_hand * level.average_cost + quantity * unit_cost
    return price(value / total)


def _check_units(
    levels: dict[LevelKey, StockLevel], quantities: Iterable[tuple[str, LevelKey, Decimal]]
) -> None:
    """Each quantity within its product's unit of measure (``catalog.units``)."""
    checks: list[UnitQuantity] = [
        (field, levels[key].product, quantity) for field, key, quantity in quantities
    ]
    require_unit_quantities(checks)


def _refuse_inactive_gain(level: StockLevel, quantity: Decimal, field: str) -> None:
    """The one active-product rule for adjustments and counts: an inactive product's stock
    may be cleared out but not added to."""
    if quantity > 0 and not level.product.is_active:
        raise errors.ValidationFailed(
            f"{level.product.sku} is inactive: its stock can go down, not up.",
            errors={field: [f"{level.product.sku} is inactive."]},
        )


def _average_without(level: StockLevel, quantity: Decimal, unit_cost: Decimal) -> Decimal:
    """Average cost after ``quantity`` valued at ``unit_cost`` leaves (before on_hand moves)."""
    remaining = level.on_hand - quantity
    if remaining <= 0:
        return level.average_cost
    value = level.on_hand * level.average_cost - quantity * unit_cost
    return price(max(value / remaining, ZERO))


# --- operations ---------------------------------------------------------------------


@transaction.atomic
def stock_adjust(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity: Decimal,
    reason: str,
    note: str = "",
    unit_cost: Decimal | None = None,
    user: Actor = None,
) -> StockMovement:
    """Correct the stock of ``product`` in ``warehouse`` by a signed quantity; both as the
    caller read them (their sku, code, cost and active flag are not read again). Positive
    adjustments are valued at ``unit_cost``, else the current average cost, else the
    product's cost (the rule of ``_Posting.move``). Quantities finer than the product's
    unit, or adding to an inactive product → 400."""
    if quantity == 0:
        raise errors.ValidationFailed(
            "An adjustment must change stock.", errors={"quantity": ["Must not be 0."]}
        )
    key = (product.pk, warehouse.pk)
    level = _lock_level(product, warehouse)
    _check_units({key: level}, [("quantity", key, quantity)])
    _refuse_inactive_gain(level, quantity, "product")
    if level.on_hand + quantity < level.reserved:
        have, what = (
            (level.available, "available") if level.reserved else (level.on_hand, "on hand")
        )
        raise errors.InsufficientStock(
            _shortage(level, -quantity, have, what),
            errors={"quantity": [f"At most {have} can be removed."]},
        )
    posting = _Posting({key: level}, user=user, reference=None)
    cost = unit_cost if quantity > 0 else None
    posting.move(key, quantity, MovementKind.ADJUSTMENT, unit_cost=cost, reason=reason, note=note)
    return posting.commit()[0]


@transaction.atomic
def stock_transfer(
    *,
    product_id: int,
    from_warehouse_id: int,
    to_warehouse_id: int,
    quantity: Decimal,
    user: Actor = None,
) -> tuple[StockTransfer, list[StockMovement]]:
    """Move stock between warehouses at the source's average cost."""
    _positive(quantity)
    if from_warehouse_id == to_warehouse_id:
        raise errors.ValidationFailed(
            "A transfer needs two different warehouses.",
            errors={"to_warehouse": ["Must differ from from_warehouse."]},
        )
    source, target = (product_id, from_warehouse_id), (product_id, to_warehouse_id)
    levels = _lock_levels([source, target])
    _check_units(levels, [("quantity", source, quantity)])
    if levels[source].available < quantity:
        raise errors.InsufficientStock(
            _shortage(levels[source], quantity, levels[source].available, "available"),
            errors={"quantity": [f"Only {levels[source].available} available."]},
        )
    transfer = StockTransfer.objects.create(
        product_id=product_id,
        from_warehouse_id=from_warehouse_id,
        to_warehouse_id=to_warehouse_id,
        quantity=quantity,
        created_by=recorded_actor(user),
    )
    posting = _Posting(levels, user=user, reference=Reference("stock_transfer", transfer.pk))
    cost = levels[source].average_cost
    posting.move(source, -quantity, MovementKind.TRANSFER_OUT)
    posting.move(target, quantity, MovementKind.TRANSFER_IN, unit_cost=cost)
    return transfer, posting.commit()


@transaction.atomic
def stock_count(
    *, warehouse_id: int, lines: Sequence[CountLine], note: str = "", user: Actor = None
) -> tuple[StockCount, list[StockMovement]]:
    """Record a physical count; post ``count`` movements for every difference. Stock
    found is valued like a positive adjustment (average cost, else the product's cost).

    A count below what is reserved is refused: release reservations first; a count
    finding more of an inactive product, or finer than its unit, → 400.
    """
    products = [line.product_id for line in lines]
    if len(set(products)) != len(products):
        raise errors.ValidationFailed(
            "Each product may be counted once per count.",
            errors={"lines": ["Duplicate products."]},
        )
    keys = [(line.product_id, warehouse_id) for line in lines]
    levels = _lock_levels(keys)
    _check_units(
        levels,
        (
            (f"lines.{index}.counted_quantity", key, line.counted_quantity)
            for index, (line, key) in enumerate(zip(lines, keys, strict=True))
        ),
    )
    for index, (line, key) in enumerate(zip(lines, keys, strict=True)):
        _refuse_inactive_gain(
            levels[key], line.counted_quantity - levels[key].on_hand, f"lines.{index}.product"
        )
    shortages = {
        f"lines.{index}.counted_quantity": [
            f"{levels[key].reserved} of {levels[key].product.sku} are reserved; "
            "release them before counting less."
        ]
        for index, (line, key) in enumerate(zip(lines, keys, strict=True))
        if line.counted_quantity < levels[key].reserved
    }
    if shortages:
        raise errors.InsufficientStock("A count is below reserved stock.", errors=shortages)
    count = StockCount.objects.create(
        warehouse_id=warehouse_id,
        note=note,
        created_by=recorded_actor(user),
    )
    StockCountLine.objects.bulk_create(
        StockCountLine(
            count=count,
            product_id=line.product_id,
            counted_quantity=line.counted_quantity,
            expected_quantity=levels[key].on_hand,
        )
        for line, key in zip(lines, keys, strict=True)
    )
    posting = _Posting(levels, user=user, reference=Reference("stock_count", count.pk))
    for index, (line, key) in enumerate(zip(lines, keys, strict=True)):
        difference = line.counted_quantity - levels[key].on_hand
        if difference:
            field = f"lines.{index}.counted_quantity"
            posting.move(key, difference, MovementKind.COUNT, note=note, field=field)
    return count, posting.commit()


def _take_in(
    lines: Sequence[ReceiptLine], reference: Reference, user: Actor, kind: MovementKind
) -> list[StockMovement]:
    for index, line in enumerate(lines):
        _positive(line.quantity, f"lines.{index}.quantity")
    levels = _lock_levels(line.key for line in lines)
    quantities = [(f"lines.{i}.quantity", line.key, line.quantity) for i, line in enumerate(lines)]
    _check_units(levels, quantities)
    posting = _Posting(levels, user=user, reference=reference)
    for (field, key, quantity), line in zip(quantities, lines, strict=True):
        posting.move(key, quantity, kind, unit_cost=line.unit_cost, field=field)
    return posting.commit()


@transaction.atomic
def stock_receive(
    *, lines: Sequence[ReceiptLine], reference: Reference, user: Actor = None
) -> list[StockMovement]:
    """Take goods in at their unit cost; the moving-average cost follows."""
    return _take_in(lines, reference, user, MovementKind.RECEIPT)


@transaction.atomic
def stock_return(
    *, lines: Sequence[ReceiptLine], reference: Reference, user: Actor = None
) -> list[StockMovement]:
    """Take goods a customer sent back into stock (positive ``return`` movements) at the
    unit cost they left with; the moving-average cost follows, as for a receipt."""
    return _take_in(lines, reference, user, MovementKind.RETURN)


@transaction.atomic
def stock_return_to_supplier(
    *, lines: Sequence[ReceiptLine], reference: Reference, user: Actor = None
) -> list[StockMovement]:
    """Send goods back to their supplier: negative ``return`` movements at the cost they
    were bought at (``unit_cost``), refused with ``InsufficientStock`` beyond what is
    available (reserved stock stays).

    The costing rule: the goods leave at their purchase cost, so the stock's value falls
    by exactly what they added when received, and the moving average of what stays is
    ``(on_hand * average_cost - quantity * unit_cost) / (on_hand - quantity)`` — a
    receipt reversed. When nothing stays, the average is kept (nothing to value); when
    the remaining value would be negative (the goods were dearer than the average of
    everything on hand), the average floors at 0.
    """
    totals = _totals(lines)
    levels = _lock_levels(totals)
    _refuse_short(levels, totals)
    posting = _Posting(levels, user=user, reference=reference)
    for line in lines:
        level = levels[line.key]
        level.average_cost = _average_without(level, line.quantity, line.unit_cost)
        posting.move(line.key, -line.quantity, MovementKind.RETURN, unit_cost=line.unit_cost)
    return posting.commit()


def _totals(lines: Sequence[StockLine]) -> dict[LevelKey, tuple[Decimal, int]]:
    """Quantity per level, and the index of the first line naming it (for errors)."""
    totals: dict[LevelKey, Decimal] = defaultdict(lambda: ZERO)
    first: dict[LevelKey, int] = {}
    for index, line in enumerate(lines):
        _positive(line.quantity, f"lines.{index}.quantity")
        totals[line.key] += line.quantity
        first.setdefault(line.key, index)
    return {key: (total, first[key]) for key, total in totals.items()}


def _refuse_short(
    levels: dict[LevelKey, StockLevel], totals: dict[LevelKey, tuple[Decimal, int]]
) -> None:
    """``InsufficientStock`` naming every line whose level has less available than wanted."""
    short = {
        f"lines.{index}.quantity": [
            _shortage(levels[key], wanted, levels[key].available, "available")
        ]
        for key, (wanted, index) in totals.items()
        if levels[key].available < wanted
    }
    if short:
        raise errors.InsufficientStock(
            f"Not enough stock for {len(short)} line{'s' if len(short) > 1 else ''}.",
            errors=short,
        )


@transaction.atomic
def stock_reserve(*, lines: Sequence[StockLine], reference: Reference, user: Actor = None) -> None:
    """Reserve every line, or nothing: short lines are all named in the error."""
    totals = _totals(lines)
    levels = _lock_levels(totals)
    _refuse_short(levels, totals)
    posting = _Posting(levels, user=user, reference=reference)
    for key, (wanted, _) in totals.items():
        posting.reserve(key, wanted)
    posting.commit()


@transaction.atomic
def stock_reserve_or_backorder(
    *, lines: Sequence[Demand], reference: Reference, queued_at: datetime, user: Actor = None
) -> dict[int, Decimal]:
    """Reserve what is available of each line and queue the rest as a backorder, to be
    filled as stock arrives (before anything queued after ``queued_at``).

    Lines are served in the order given. Answers the quantity backordered per line id
    (0 for a line reserved in full).
    """
    _totals(lines)  # every quantity must be positive
    levels = _lock_levels(line.key for line in lines)
    posting = _Posting(levels, user=user, reference=reference)
    backordered: dict[int, Decimal] = {}
    queue = []
    for line in lines:
        take = min(line.quantity, max(levels[line.key].available, ZERO))
        if take:
            posting.reserve(line.key, take)
        backordered[line.line_id] = line.quantity - take
        if line.quantity > take:
            queue.append(
                StockBackorder(
                    product_id=line.product_id,
                    warehouse_id=line.warehouse_id,
                    reference_type=reference.type,
                    reference_id=reference.id,
                    reference_number=reference.number,
                    line_id=line.line_id,
                    quantity=line.quantity - take,
                    queued_at=queued_at,
                )
            )
    StockBackorder.objects.bulk_create(queue)
    posting.commit()
    return backordered


@transaction.atomic
def stock_release(*, lines: Sequence[Demand], reference: Reference, user: Actor = None) -> None:
    """Give back what document lines hold (an order cancelled or closed): each line leaves
    the backorder queue, and the rest of its quantity, which was reserved, is released."""
    totals = _totals(lines)
    levels = _lock_levels(totals)
    queued = StockBackorder.objects.select_for_update().filter(
        reference_type=reference.type, line_id__in=[line.line_id for line in lines]
    )
    waiting = {backorder.line_id: backorder.quantity for backorder in queued}
    queued.delete()
    posting = _Posting(levels, user=user, reference=reference)
    for index, line in enumerate(lines):
        release = line.quantity - waiting.get(line.line_id, ZERO)
        if levels[line.key].reserved < release:
            raise errors.Conflict(
                f"Cannot release {release}: only {levels[line.key].reserved} reserved.",
                errors={f"lines.{index}.quantity": ["More than is reserved."]},
            )
        if release > 0:
            posting.reserve(line.key, -release)
    posting.commit()


@transaction.atomic
def stock_issue(
    *, lines: Sequence[StockLine], reference: Reference, user: Actor = None
) -> list[StockMovement]:
    """Ship reserved stock: on_hand and reserved go down together."""
    totals = _totals(lines)
    levels = _lock_levels(totals)
    _check_units(
        levels, ((f"lines.{i}.quantity", line.key, line.quantity) for i, line in enumerate(lines))
    )
    for key, (quantity, index) in totals.items():
        if levels[key].reserved < quantity:
            raise errors.InsufficientStock(
                _shortage(levels[key], quantity, levels[key].reserved, "reserved"),
                errors={f"lines.{index}.quantity": [f"Only {levels[key].reserved} reserved."]},
            )
    posting = _Posting(levels, user=user, reference=reference)
    for key, (quantity, _) in totals.items():
        posting.reserve(key, -quantity)
        posting.move(key, -quantity, MovementKind.SHIPMENT)
    return posting.commit()


# --- warehouses -----------------------------------------------------------------------


def _ensure_code_free(warehouse: Warehouse) -> None:
    taken = Warehouse.objects.filter(code__iexact=warehouse.code).exclude(pk=warehouse.pk)
    if taken.exists():
        raise errors.ValidationFailed(
            "A warehouse with this code exists.", errors={"code": ["Already in use."]}
        )


@transaction.atomic
def warehouse_create(
    *, code: str, name: str, address: str = "", is_active: bool = True
) -> Warehouse:
    """A warehouse; codes are unique ignoring case (400 at ``code`` when taken)."""
    warehouse = Warehouse(code=code, name=name, address=address, is_active=is_active)
    save_unique(warehouse, _ensure_code_free)
    publish("warehouse.created", _warehouse_data(warehouse))
    return warehouse


@transaction.atomic
def warehouse_update(*, warehouse: Warehouse, **fields: Any) -> Warehouse:
    """Change a warehouse; a new code is copied to its stock levels (their order) in the
    same transaction, before and after the warehouse row is written
    (``stock_level_warehouse_copy``)."""
    code_changes = fields.get("code", warehouse.code) != warehouse.code
    for name, value in fields.items():
        setattr(warehouse, name, value)
    if code_changes:
        stock_level_warehouse_copy(warehouse=warehouse)
    save_unique(warehouse, _ensure_code_free)
    if code_changes:
        stock_level_warehouse_copy(warehouse=warehouse)
    publish("warehouse.updated", _warehouse_data(warehouse))
    return warehouse


@transaction.atomic
def warehouse_delete(*, warehouse: Warehouse) -> None:
    """Delete a warehouse nothing refers to; one with stock history must be deactivated."""
    data = _warehouse_data(warehouse)
    delete_unreferenced(warehouse, what="warehouse")
    publish("warehouse.deleted", data)


def _warehouse_data(warehouse: Warehouse) -> dict[str, Any]:
    return {
        "id": warehouse.pk,
        "code": warehouse.code,
        "name": warehouse.name,
        "is_active": warehouse.is_active,
    }
