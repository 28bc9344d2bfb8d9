"""``core.statements``: the UPDATE of ``update_statement`` is the one the ORM compiles,
whether its SQL was compiled for this call or kept from an earlier one."""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.sql import UpdateQuery

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core.statements import execute_together, update_statement
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
