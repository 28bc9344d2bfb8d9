"""``core.statements``: the UPDATE of ``update_statement`` and the INSERT of
``insert_statement`` are the ones the ORM compiles, whether their SQL was compiled for this
call or kept from an earlier one."""

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.db.models.sql import InsertQuery, UpdateQuery

from stockyard.catalog.models import Product
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core.statements import (
    _INSERTS,
    execute_together,
    insert_statement,
    update_statement,
)
from stockyard.inventory.enums import MovementKind
from stockyard.inventory.models import StockMovement, Warehouse
from stockyard.inventory.tests.factories import WarehouseFactory
from stockyard.sales.models import SalesOrder
from stockyard.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db


def _order() -> SalesOrder:
    return make_order((ProductFactory.create(), 1))


def _by_orm(order: SalesOrder, fields: list[str]) -> tuple[str, list[object]]:
    named = {field.name: field for field in SalesOrder._meta.concrete_fields}
    query = UpdateQuery(SalesOrder)
    query.add_update_fields(
        [(named[name], None, getattr(order, named[name].attname)) for name in fields]
    )
    query.add_q(Q(pk=order.pk))
    sql, params = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


@pytest.mark.parametrize("confirmed_at", [datetime(2026, 11, 20, 10, 4, tzinfo=UTC), None])
def test_an_update_is_the_orms_the_first_time_and_after(confirmed_at):
    orders = [_order(), _order()]
    fields = ["status", "confirmed_at", "notes"]
    for order in orders * 2:  # the second time round, the kept SQL
        order.status, order.confirmed_at, order.notes = "confirmed", confirmed_at, f"n{order.pk}"
        sql, params = update_statement(order, fields)
        assert (sql, list(params)) == _by_orm(order, fields)
        if confirmed_at is None:
            assert "NULL" in sql


def test_an_expression_is_compiled_each_time_and_runs():
    order = _order()
    order.notes = F("number")
    with transaction.atomic():
        execute_together([update_statement(order, ["notes"])])
    order.refresh_from_db()
    assert order.notes == order.number


def test_auto_now_moves_as_save_moves_it():
    order = _order()
    before = order.updated_at
    update_statement(order, ["updated_at"])
    assert order.updated_at > before


def _insert_by_orm(objs: Sequence[StockMovement], returning_ids: bool) -> tuple[str, list[object]]:
    meta = StockMovement._meta
    query = InsertQuery(StockMovement)
    query.insert_values(
        [f for f in meta.concrete_fields if f is not meta.pk and not f.generated], list(objs)
    )
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk] if returning_ids else None
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)


def _movement(product: Product, warehouse: Warehouse, quantity: int) -> StockMovement:
    return StockMovement(
        product=product,
        warehouse=warehouse,
        quantity=Decimal(quantity),
        kind=MovementKind.ADJUSTMENT,
        unit_cost=Decimal("1.5"),
        reason=f"r{quantity}",
        created_at=datetime(2026, 12, 1, 21, quantity, tzinfo=UTC),
    )


@pytest.mark.parametrize("returning_ids", [True, False])
def test_an_insert_is_the_orms_the_first_time_and_after(returning_ids):
    product, warehouse = ProductFactory.create(), WarehouseFactory.create()
    _INSERTS.clear()
    for quantity in (1, 2, 3):  # compiled, then kept twice
        objs = [_movement(product, warehouse, quantity)]
        sql, params = insert_statement(objs, returning_ids=returning_ids)
        assert (sql, list(params)) == _insert_by_orm(objs, returning_ids)
    assert len(_INSERTS) == 1
    two = [_movement(product, warehouse, 4), _movement(product, warehouse, 5)]  # each time
    assert (
        insert_statement(two, returning_ids=returning_ids)[0]
        == _insert_by_orm(two, returning_ids)[0]
    )


def test_a_kept_insert_still_compiles_an_expression_and_runs():
    product, warehouse = ProductFactory.create(), WarehouseFactory.create()
    insert_statement([_movement(product, warehouse, 1)])  # kept
    movement = _movement(product, warehouse, 2)
    movement.reason = Concat(Value("made "), Value("here"))
    with transaction.atomic():
        [row] = execute_together([insert_statement([movement], returning_ids=True)])
    assert StockMovement.objects.get(pk=row[0]).reason == "made here"
