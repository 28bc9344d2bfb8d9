"""Random sequences of stock operations keep the ledger's invariants.

``on_hand`` always equals the sum of the level's movements, and ``0 <= reserved <= on_hand``,
whatever mix of adjust/transfer/count/receive/reserve/release/issue runs, refused ones
included.
"""

from contextlib import suppress
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.core.decimals import quantity
from stockyard.inventory import services
from stockyard.inventory.models import StockLevel, StockMovement
from stockyard.inventory.services import CountLine, ReceiptLine, Reference, StockLine
from stockyard.inventory.tests.factories import WarehouseFactory

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(50), places=3)
signed = quantities.flatmap(lambda q: st.sampled_from([q, -q]))
indexes = st.integers(min_value=0, max_value=1)
ORDER = Reference("sales_order", 1)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint rolled back at teardown, so examples (and
        # hypothesis' replays of them) start from the same empty database.
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.products = [ProductFactory.create().pk for _ in range(2)]
        self.warehouses = [WarehouseFactory.create().pk for _ in range(2)]

    def refused_or_done(self, operation, **kwargs) -> None:
        # Refused operations must leave no trace; the invariants check that.
        with suppress(errors.InsufficientStock, errors.Conflict, errors.ValidationFailed):
            operation(**kwargs)

    @rule(p=indexes, w=indexes, quantity=signed)
    def adjust(self, p: int, w: int, quantity: Decimal) -> None:
        self.refused_or_done(
            services.stock_adjust,
            product_id=self.products[p],
            warehouse_id=self.warehouses[w],
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
        self.refused_or_done(services.stock_reserve, lines=[line], reference=ORDER)

    @rule(p=indexes, w=indexes, quantity=quantities)
    def release(self, p: int, w: int, quantity: Decimal) -> None:
        line = StockLine(self.products[p], self.warehouses[w], quantity)
        self.refused_or_done(services.stock_release, lines=[line], reference=ORDER)

    @rule(p=indexes, w=indexes, quantity=quantities)
    def issue(self, p: int, w: int, quantity: Decimal) -> None:
        line = StockLine(self.products[p], self.warehouses[w], quantity)
        self.refused_or_done(services.stock_issue, lines=[line], reference=ORDER)

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
