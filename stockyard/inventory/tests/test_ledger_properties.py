"""Random sequences of stock operations keep the ledger's invariants.

``on_hand`` always equals the sum of the level's movements, and ``0 <= reserved <= on_hand``,
whatever mix of adjust/transfer/count/receive/reserve/release/issue runs, refused ones
included — and with sales orders in the mix (confirmed with or without backorders,
shipped in part, closed, cancelled, goods returned and restocked or scrapped), what is
reserved is exactly what the open orders hold (plus what the bare ``stock_reserve`` rule
took), no backorder waits while stock is available, and no line holds more than its
unshipped rest. With purchase orders in the mix too (drafted, submitted, received in
part, over-received and refused, cancelled, closed, goods returned to the supplier), what
is kept on order per pair is what their lines have outstanding.
"""

from collections import defaultdict
from contextlib import suppress
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from stockyard.catalog.models import Product
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.core.decimals import quantity
from stockyard.inventory import services
from stockyard.inventory.models import StockBackorder, StockLevel, StockMovement, Warehouse
from stockyard.inventory.services import CountLine, Demand, ReceiptLine, Reference, StockLine
from stockyard.inventory.tests.factories import WarehouseFactory
from stockyard.partners.tests.factories import CustomerFactory, SupplierFactory
from stockyard.purchasing import services as purchasing
from stockyard.purchasing.models import PurchaseOrder
from stockyard.purchasing.services import LineReceipt
from stockyard.purchasing.services import OrderLine as PurchaseLine
from stockyard.purchasing.tests.factories import on_order_from_the_documents, on_order_kept
from stockyard.sales import returns
from stockyard.sales import services as sales
from stockyard.sales.enums import ReturnDisposition
from stockyard.sales.models import SalesOrder
from stockyard.sales.returns import ReturnLineInput
from stockyard.sales.selectors import sales_order_lines
from stockyard.sales.services import OPEN_STATUSES, OrderLineInput
from stockyard.shipping import services as shipping
from stockyard.shipping.services import ShipmentLineInput

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(50), places=3)
signed = quantities.flatmap(lambda q: st.sampled_from([q, -q]))
indexes = st.integers(min_value=0, max_value=1)
ORDER = Reference("sales_order", 0)  # bare reservations: no real order has id 0
BARE_LINE = 0


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint rolled back at teardown, so examples (and
        # hypothesis' replays of them) start from the same empty database.
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.products = [ProductFactory.create().pk for _ in range(2)]
        self.warehouses = [WarehouseFactory.create().pk for _ in range(2)]
        self.customer = CustomerFactory.create(credit_limit=None)
        self.orders: list[int] = []
        self.supplier = SupplierFactory.create()
        self.purchases: list[int] = []
        # What the bare reserve rule holds per level, apart from any order.
        self.bare: dict[tuple[int, int], Decimal] = defaultdict(Decimal)

    def refused_or_done(self, operation, **kwargs) -> None:
        # Refused operations must leave no trace; the invariants check that.
        with suppress(errors.InsufficientStock, errors.Conflict, errors.ValidationFailed):
            operation(**kwargs)

    @rule(p=indexes, w=indexes, quantity=signed)
    def adjust(self, p: int, w: int, quantity: Decimal) -> None:
        self.refused_or_done(
            services.stock_adjust,
            product=Product.objects.get(pk=self.products[p]),
            warehouse=Warehouse.objects.get(pk=self.warehouses[w]),
            quantity=quantity,
            reason="property",
        )

    @rule(p=indexes, quantity=quantities, cost=st.decimals(min_value=0, max_value=100, places=2))
    def receive(self, p: int, quantity: Decimal, cost: Decimal) -> None:
        services.stock_receive(
            lines=[ReceiptLine(self.products[p], self.warehouses[0], quantity, cost)],
            reference=Reference("purchase_order", 1),
        )

    @rule(p=indexes, w=indexes, quantity=quantities)
    def transfer(self, p: int, w: int, quantity: Decimal) -> None:
        self.refused_or_done(
            services.stock_transfer,
            product_id=self.products[p],
            from_warehouse_id=self.warehouses[w],
            to_warehouse_id=self.warehouses[1 - w],
            quantity=quantity,
        )

    @rule(p=indexes, w=indexes, counted=st.decimals(min_value=0, max_value=80, places=3))
    def count(self, p: int, w: int, counted: Decimal) -> None:
        self.refused_or_done(
            services.stock_count,
            warehouse_id=self.warehouses[w],
            lines=[CountLine(self.products[p], counted)],
        )

    @rule(p=indexes, w=indexes, quantity=quantities)
    def reserve(self, p: int, w: int, quantity: Decimal) -> None:
        line = StockLine(self.products[p], self.warehouses[w], quantity)
        with suppress(errors.InsufficientStock):
            services.stock_reserve(lines=[line], reference=ORDER)
            self.bare[line.key] += quantity

    @rule(p=indexes, w=indexes, quantity=quantities)
    def release(self, p: int, w: int, quantity: Decimal) -> None:
        key = (self.products[p], self.warehouses[w])
        quantity = min(quantity, self.bare[key])  # never what an order holds
        if quantity > 0:
            line = Demand(*key, quantity, BARE_LINE)
            services.stock_release(lines=[line], reference=ORDER)
            self.bare[key] -= quantity

    @rule(p=indexes, w=indexes, quantity=quantities)
    def issue(self, p: int, w: int, quantity: Decimal) -> None:
        key = (self.products[p], self.warehouses[w])
        quantity = min(quantity, self.bare[key])
        if quantity > 0:
            services.stock_issue(lines=[StockLine(*key, quantity)], reference=ORDER)
            self.bare[key] -= quantity

    # --- sales orders through their own services ---------------------------------------

    @rule(p=indexes, w=indexes, quantity=quantities, backorder=st.booleans())
    def confirm_order(self, p: int, w: int, quantity: Decimal, backorder: bool) -> None:
        product = Product.objects.get(pk=self.products[p])
        order = sales.sales_order_create(
            customer=self.customer,
            warehouse=Warehouse.objects.get(pk=self.warehouses[w]),
            lines=[OrderLineInput(product, quantity, unit_price=Decimal("10.00"))],
            allow_backorder=backorder,
            user=None,
        )
        with suppress(errors.InsufficientStock):
            sales.sales_order_confirm(order=order, user=None)
            self.orders.append(order.pk)

    def order(self, index: int) -> SalesOrder | None:
        """One of the confirmed orders, picked by ``index``; None before the first."""
        if not self.orders:
            return None
        return SalesOrder.objects.get(pk=self.orders[index % len(self.orders)])

    @rule(index=st.integers(min_value=0), share=st.sampled_from(["0.5", "1"]))
    def ship(self, index: int, share: str) -> None:
        order = self.order(index)
        if order is None or order.status not in OPEN_STATUSES:
            return
        line = sales_order_lines().get(order=order)
        ready = line.quantity_unshipped - line.quantity_backordered
        shipped = min(ready, quantity(ready * Decimal(share)))
        if shipped > 0:
            shipment = shipping.shipment_create(
                sales_order=order, lines=[ShipmentLineInput(line, shipped)], user=None
            )
            shipping.shipment_ship(shipment=shipment, user=None)

    @rule(index=st.integers(min_value=0))
    def close(self, index: int) -> None:
        order = self.order(index)
        if order is not None:
            self.refused_or_done(sales.sales_order_close, order=order, user=None)

    @rule(index=st.integers(min_value=0))
    def cancel(self, index: int) -> None:
        order = self.order(index)
        if order is not None:
            self.refused_or_done(sales.sales_order_cancel, order=order, user=None)

    @rule(index=st.integers(min_value=0), quantity=quantities, scrap=st.booleans())
    def return_goods(self, index: int, quantity: Decimal, scrap: bool) -> None:
        order = self.order(index)
        if order is None:
            return
        with suppress(errors.Conflict):
            requested = returns.customer_return_request(
                sales_order=order,
                lines=[
                    ReturnLineInput(
                        order.lines.get(),
                        quantity,
                        ReturnDisposition.SCRAP if scrap else ReturnDisposition.RESTOCK,
                    )
                ],
                user=None,
            )
            returns.customer_return_receive(customer_return=requested, user=None)

    # --- purchase orders through their own services ----------------------------------

    @rule(p=indexes, w=indexes, quantity=quantities, submit=st.booleans())
    def order_goods(self, p: int, w: int, quantity: Decimal, submit: bool) -> None:
        order = purchasing.purchase_order_create(
            supplier=self.supplier,
            warehouse=Warehouse.objects.get(pk=self.warehouses[w]),
            lines=[
                PurchaseLine(Product.objects.get(pk=self.products[p]), quantity),
                PurchaseLine(Product.objects.get(pk=self.products[1 - p]), quantity + 1),
            ],
            user=None,
        )
        if submit:
            purchasing.purchase_order_submit(order=order, user=None)
        self.purchases.append(order.pk)

    def purchase(self, index: int) -> PurchaseOrder | None:
        """One of the purchase orders, picked by ``index``; None before the first."""
        if not self.purchases:
            return None
        return PurchaseOrder.objects.get(pk=self.purchases[index % len(self.purchases)])

    @rule(index=st.integers(min_value=0), quantity=quantities)
    def receive_goods(self, index: int, quantity: Decimal) -> None:
        """Receives ``quantity`` of each line: in part, all, or more than is outstanding
        (refused)."""
        order = self.purchase(index)
        if order is not None:
            self.refused_or_done(
                purchasing.purchase_order_receive,
                order=order,
                lines=[LineReceipt(line.pk, quantity) for line in order.lines.all()],
                user=None,
            )

    @rule(index=st.integers(min_value=0), action=st.sampled_from(["submit", "cancel", "close"]))
    def move_purchase(self, index: int, action: str) -> None:
        order = self.purchase(index)
        if order is not None:  # refused from the wrong status
            self.refused_or_done(
                getattr(purchasing, f"purchase_order_{action}"), order=order, user=None
            )

    @rule(index=st.integers(min_value=0), quantity=quantities)
    def return_goods_to_supplier(self, index: int, quantity: Decimal) -> None:
        order = self.purchase(index)
        if order is not None:  # refused before a receipt, or beyond it or the stock
            line = order.lines.earliest("pk")
            self.refused_or_done(
                purchasing.purchase_order_return,
                order=order,
                lines=[LineReceipt(line.pk, quantity)],
                user=None,
            )

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    @invariant()
    def on_hand_is_the_sum_of_movements(self) -> None:
        for level in StockLevel.objects.all():
            total = StockMovement.objects.filter(
                product_id=level.product_id, warehouse_id=level.warehouse_id
            ).aggregate(total=Sum("quantity"))["total"]
            assert level.on_hand == quantity(total or 0)  # SQLite sums through floats

    @invariant()
    def reserved_is_within_on_hand(self) -> None:
        for level in StockLevel.objects.all():
            assert 0 <= level.reserved <= level.on_hand
            assert level.average_cost >= 0

    @invariant()
    def reserved_is_what_open_orders_hold(self) -> None:
        held: dict[tuple[int, int], Decimal] = defaultdict(Decimal, self.bare)
        for line in sales_order_lines().select_related("order"):
            assert 0 <= line.quantity_backordered <= line.quantity_unshipped
            if line.order.status in OPEN_STATUSES:
                key = (line.product_id, line.order.warehouse_id)
                held[key] += line.quantity_unshipped - line.quantity_backordered
            else:
                assert line.quantity_backordered == 0
        for level in StockLevel.objects.all():
            assert level.reserved == held[(level.product_id, level.warehouse_id)]

    @invariant()
    def on_order_is_what_purchase_orders_have_outstanding(self) -> None:
        assert on_order_kept() == on_order_from_the_documents()

    @invariant()
    def no_backorder_waits_while_stock_is_available(self) -> None:
        for backorder in StockBackorder.objects.all():
            level = StockLevel.objects.get(
                product_id=backorder.product_id, warehouse_id=backorder.warehouse_id
            )
            assert level.available == 0


@pytest.mark.django_db
def test_random_operation_sequences_keep_the_ledger_invariants() -> None:
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
