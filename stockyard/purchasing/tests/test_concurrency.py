"""Real threads against PostgreSQL: receipts never exceed what was ordered, and what is
kept on order stays exact."""

from decimal import Decimal

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.core.testing import run_concurrently
from stockyard.inventory import services as inventory
from stockyard.inventory.models import StockLevel, StockMovement
from stockyard.inventory.tests.factories import WarehouseFactory
from stockyard.partners.tests.factories import SupplierFactory
from stockyard.purchasing import services
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.models import PurchaseOrder
from stockyard.purchasing.tests.factories import (
    make_purchase_order,
    on_order_from_the_documents,
    on_order_kept,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal


def test_eight_clerks_receiving_two_each_of_a_line_of_ten():
    product, warehouse = ProductFactory(), WarehouseFactory()
    order = make_purchase_order(
        [(product, 10, "4.00")], warehouse=warehouse, status=Status.SUBMITTED
    )
    line = order.lines.get()

    def receive_two(_: int) -> object:
        return services.purchase_order_receive(
            order=order, lines=[services.LineReceipt(line.pk, D(2))], user=None
        )

    outcomes = run_concurrently(receive_two, 8)
    refused = [o for o in outcomes if isinstance(o, errors.Conflict)]
    assert len(refused) == 3
    assert not [o for o in outcomes if isinstance(o, Exception) and o not in refused]
    line.refresh_from_db()
    assert line.quantity_received == 10
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert (level.on_hand, level.average_cost) == (D(10), D("4.0000"))
    assert StockMovement.objects.filter(reference_id=order.pk).count() == 5
    order.refresh_from_db()
    assert order.status == Status.RECEIVED


def test_a_cancel_racing_receipts_never_leaves_goods_on_a_cancelled_order():
    product, warehouse = ProductFactory(), WarehouseFactory()
    order = make_purchase_order([(product, 10)], warehouse=warehouse, status=Status.SUBMITTED)
    line = order.lines.get()

    def act(index: int) -> object:
        if index == 0:
            return services.purchase_order_cancel(order=order, user=None)
        return services.purchase_order_receive(
            order=order, lines=[services.LineReceipt(line.pk, D(1))], user=None
        )

    outcomes = run_concurrently(act, 6)
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(o, errors.InvalidTransition) for o in failures), failures
    order.refresh_from_db()
    line.refresh_from_db()
    on_hand = StockLevel.objects.filter(product=product).values_list("on_hand", flat=True)
    if order.status == Status.CANCELLED:
        assert line.quantity_received == 0
        assert not any(on_hand)
    else:  # the cancel came after a receipt and was refused
        assert isinstance(outcomes[0], errors.InvalidTransition)
        assert order.status == Status.PARTIALLY_RECEIVED
        assert list(on_hand) == [line.quantity_received] == [5]


def test_concurrent_creates_get_distinct_numbers():
    supplier, warehouse = SupplierFactory(), WarehouseFactory()

    def create(_: int) -> object:
        return services.purchase_order_create(supplier=supplier, warehouse=warehouse, user=None)

    outcomes = run_concurrently(create, 10)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    numbers = set(PurchaseOrder.objects.values_list("number", flat=True))
    assert len(numbers) == 10
    assert None not in numbers


def test_buyers_drafting_from_suggestions_at_once_draft_the_need_once():
    warehouse = WarehouseFactory()
    for _ in range(3):
        product = ProductFactory(supplier=SupplierFactory(), reorder_point=D(10))
        inventory.stock_adjust(
            product=product, warehouse=warehouse, quantity=D(1), reason="opening"
        )

    def draft(_: int) -> object:
        orders, _skipped = services.purchase_order_create_from_suggestions(
            warehouse=warehouse, user=None
        )
        return len(orders)

    assert sorted(run_concurrently(draft, 6)) == [0, 0, 0, 0, 0, 3]
    assert PurchaseOrder.objects.count() == 3


def test_racing_changes_of_orders_for_the_same_pairs_keep_on_order_exact():
    """Receipts, a close, a cancel, a draft's new lines and new orders, all at once on
    the same two products (lines in opposite orders): none fails or deadlocks, and what
    is kept on order is what the lines have outstanding."""
    bolt, rope = ProductFactory(), ProductFactory()
    warehouse = WarehouseFactory()
    receiving = [
        make_purchase_order(lines, warehouse=warehouse, status=Status.SUBMITTED)
        for lines in ([(bolt, 10), (rope, 10)], [(rope, 8), (bolt, 8)], [(bolt, 6), (rope, 6)])
    ]
    closing = make_purchase_order(
        [(bolt, 5), (rope, 5)], warehouse=warehouse, status=Status.PARTIALLY_RECEIVED
    )
    cancelling = make_purchase_order([(rope, 4), (bolt, 4)], warehouse=warehouse)
    editing = make_purchase_order([(bolt, 3)], warehouse=warehouse)

    def act(index: int) -> object:
        if index < len(receiving):
            order = receiving[index]
            return services.purchase_order_receive(
                order=order,
                lines=[services.LineReceipt(line.pk, D(index + 1)) for line in order.lines.all()],
                user=None,
            )
        if index == 3:
            return services.purchase_order_close(order=closing, user=None)
        if index == 4:
            return services.purchase_order_cancel(order=cancelling, user=None)
        if index == 5:
            return services.purchase_order_update(
                order=editing,
                lines=[services.OrderLine(rope, D(7)), services.OrderLine(bolt, D(2))],
                user=None,
            )
        return make_purchase_order([(rope, 2), (bolt, 2)], warehouse=warehouse)

    outcomes = run_concurrently(act, 8)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    kept = on_order_kept()
    assert kept == on_order_from_the_documents()
    # bolt: 9 + 6 + 3 still to receive, the draft's 2, the new orders' 2 + 2 (rope: 7)
    assert kept == {(bolt.pk, warehouse.pk): D(24), (rope.pk, warehouse.pk): D(29)}
