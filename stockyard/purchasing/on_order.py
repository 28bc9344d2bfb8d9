"""What is on order per (product, warehouse), kept as purchase orders change.

``OnOrder`` holds, per pair, what the unfinished orders (``ON_ORDER_STATUSES``: draft,
submitted, partially received) still have outstanding on their lines: ``quantity -
quantity_received``. Reorder suggestions and the low-stock report read it instead of
the open orders' lines.

Every service that changes what an order counts runs the change inside
``moving(order)``, in its transaction with the order row locked: what the order counted
before, what it counts after, and the difference added to the pairs in one statement
(``INSERT ... ON CONFLICT DO UPDATE SET quantity = quantity + change``, pairs in sorted
order). The row lock of each pair makes concurrent changes of one pair take turns, and
additions commute, so no other lock is needed; a pair whose quantity falls to 0 loses
its row. What moves it: creating an order with lines, replacing a draft's lines or
changing its warehouse, a receipt, a cancel, a close. What does not: a submit (a draft
counts already) and a return to the supplier (it changes ``quantity_returned`` only).

``on_order_recount`` compares the kept quantities with the documents in one statement
and adds the difference (``manage.py recount_on_order``: the post-deployment step);
``on_order_drift`` lists the differences (``manage.py check_stock_ledger``).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from stockyard.catalog.models import Product
from stockyard.core.decimals import ZERO, quantity
from stockyard.core.statements import Statement, execute_together
from stockyard.inventory.models import Warehouse
from stockyard.purchasing.enums import ON_ORDER_STATUSES
from stockyard.purchasing.models import OnOrder, PurchaseOrder, PurchaseOrderLine

Pair = tuple[int, int]  # (product_id, warehouse_id)
Counts = dict[Pair, Decimal]

_TABLE = OnOrder._meta.db_table
_STATUSES = sorted(ON_ORDER_STATUSES)

# Every outstanding line of an unfinished order as (product_id, warehouse_id, quantity);
# ``{extra}`` narrows it further. The open orders are found by their status index, their
# lines by ``purchase_line_outstanding_idx`` (its condition is the last one here).
_DOCUMENTS = f"""
    SELECT l.product_id, o.warehouse_id, l.quantity - l.quantity_received AS quantity
    FROM {PurchaseOrderLine._meta.db_table} l
    JOIN {PurchaseOrder._meta.db_table} o ON o.id = l.order_id
    WHERE o.status IN ({", ".join(["%s"] * len(_STATUSES))}) {{extra}}
      AND l.quantity_received < l.quantity"""

_ADD = f"""
    INSERT INTO {_TABLE} (product_id, warehouse_id, quantity) {{rows}}
    ON CONFLICT (product_id, warehouse_id)
    DO UPDATE SET quantity = {_TABLE}.quantity + excluded.quantity"""


def counted(order: PurchaseOrder) -> Counts:
    """What ``order`` puts on order now, per pair: its lines' outstanding quantities
    while it is unfinished (its status as the database holds it), else nothing."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT product_id, warehouse_id, SUM(quantity)
                FROM ({_DOCUMENTS.format(extra="AND o.id = %s")}) lines
                GROUP BY product_id, warehouse_id""",
            [*_STATUSES, order.pk],
        )
        return {(product, warehouse): quantity(total) for product, warehouse, total in cursor}


def on_order_add(changes: Counts) -> None:
    """Add ``changes`` (signed quantities per pair) to what is kept on order, in the
    caller's transaction: one upsert in the pairs' order (so two writers never lock two
    pairs in opposite orders), then, if anything fell, the rows left at 0 deleted."""
    pairs = sorted(pair for pair, change in changes.items() if change)
    if not pairs:
        return
    values = ", ".join(["(%s, %s, %s)"] * len(pairs))
    statements: list[Statement] = [
        (
            _ADD.format(rows=f"VALUES {values}"),
            [value for pair in pairs for value in (*pair, changes[pair])],
        )
    ]
    fell = [pair for pair in pairs if changes[pair] < 0]
    if fell:
        matching = " OR ".join(["(product_id = %s AND warehouse_id = %s)"] * len(fell))
        statements.append(
            (
                f"DELETE FROM {_TABLE} WHERE quantity = 0 AND ({matching})",
                [value for pair in fell for value in pair],
            )
        )
    execute_together(statements)


@contextmanager
def moving(order: PurchaseOrder) -> Iterator[None]:
    """Keep what is on order through a change of ``order`` (locked by the caller) made
    in the ``with`` block: what it counted before is taken away and what it counts after
    is added, per pair. Nothing is written if the block raises."""
    before = counted(order)
    yield
    after = counted(order)
    on_order_add({pair: after.get(pair, ZERO) - before.get(pair, ZERO) for pair in before | after})


@dataclass(frozen=True)
class OnOrderDrift:
    product_sku: str
    warehouse_code: str
    kept: Decimal
    expected: Decimal  # from the purchase orders' lines


def _compared() -> str:
    """Pairs on order by the documents or kept, with both quantities (0 where absent),
    only where they differ: one grouped pass over the open lines and the kept rows."""
    return f"""
        SELECT product_id, warehouse_id, SUM(expected) AS expected, SUM(kept) AS kept
        FROM (SELECT product_id, warehouse_id, quantity AS expected, 0 AS kept
              FROM ({_DOCUMENTS.format(extra="")}) documents
              UNION ALL
              SELECT product_id, warehouse_id, 0, quantity FROM {_TABLE}) pairs
        GROUP BY product_id, warehouse_id
        HAVING SUM(expected) <> SUM(kept)"""


def on_order_drift() -> list[OnOrderDrift]:
    """Pairs whose kept on-order quantity differs from their orders' lines (should be
    none), ordered by SKU then warehouse code."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT p.sku, w.code, d.kept, d.expected FROM ({_compared()}) d
                JOIN {Product._meta.db_table} p ON p.id = d.product_id
                JOIN {Warehouse._meta.db_table} w ON w.id = d.warehouse_id
                ORDER BY p.sku, w.code""",
            _STATUSES,
        )
        return [
            OnOrderDrift(sku, code, quantity(kept), quantity(expected))
            for sku, code, kept, expected in cursor
        ]


@transaction.atomic
def on_order_recount() -> int:
    """Put every pair's kept on-order quantity right from the orders' lines; answers how
    many pairs it changed. Online: the difference is taken in one statement's snapshot
    and added, so a change an order makes meanwhile (kept with its lines, in one
    transaction) is neither lost nor counted twice. Safe to run again."""
    with connection.cursor() as cursor:
        cursor.execute(
            _ADD.format(
                rows=f"""SELECT product_id, warehouse_id, expected - kept
                         FROM ({_compared()}) differing WHERE true"""
            ),
            _STATUSES,
        )
        changed = cursor.rowcount
        cursor.execute(f"DELETE FROM {_TABLE} WHERE quantity = 0")
    return changed
