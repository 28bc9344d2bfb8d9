"""Several writes in one round trip to the database.

A service holding a contended row lock holds it through every round trip it makes before
it commits: each is a wait for the database and then for a core and the interpreter, while
every other writer of that row waits on it. The stock ledger's writes (the levels'
UPDATE, the movements' INSERT, the outbox INSERT) go as one round trip here: the
statements are joined and sent in one ``execute`` (Django binds psycopg's parameters on
the client, so one call may carry several statements), and the last one's rows come back.
"""

from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.db.models.sql import InsertQuery, UpdateQuery

Statement = tuple[str, Sequence[Any]]  # SQL with %s placeholders, and its parameters


_INSERTS: dict[tuple[type[models.Model], str, bool], str] = {}
"""The SQL of ``insert_statement`` for one row, per model, database alias and whether it
answers the id: the ORM built and compiled the same INSERT for every stock movement,
outbox event and order, with a contended level lock held for the first two."""


def insert_statement(objs: Sequence[models.Model], *, returning_ids: bool = False) -> Statement:
    """The INSERT ``bulk_create`` sends for ``objs``, new rows of one model without primary
    keys: every concrete column but the key, values prepared by the fields as for a save;
    with ``returning_ids`` it answers the new ids, one row each, in the order of ``objs``
    (give them to ``inserted``). The SQL for one row is compiled once per model (values
    that are expressions, and fields with placeholders of their own, are compiled each
    time); several rows are compiled each time (PostgreSQL's ``UNNEST`` form)."""
    model = type(objs[0])
    meta = model._meta
    fields = [
        field for field in meta.concrete_fields if field is not meta.pk and not field.generated
    ]
    connection = transaction.get_connection()
    key = (model, connection.alias, returning_ids)
    kept = False  # one row whose every value is written as a plain parameter
    if len(objs) == 1:
        values = [field.pre_save(objs[0], True) for field in fields]
        kept = not any(map(_compiled, fields, values))
        sql = _INSERTS.get(key) if kept else None
        if sql is not None:
            return sql, [
                field.get_db_prep_save(value, connection)
                for field, value in zip(fields, values, strict=True)
            ]
    query = InsertQuery(model)
    query.insert_values(fields, list(objs))
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk] if returning_ids else None
    [(sql, params)] = compiler.as_sql()
    if kept and len(params) == len(fields):
        _INSERTS[key] = sql
    return sql, params


_UPDATES: dict[tuple[type[models.Model], tuple[str, ...], str, tuple[bool, ...]], str] = {}
"""The SQL of ``update_statement`` per model, fields, database alias and which values are
NULL (written as ``NULL``, not as a parameter): the ORM built and compiled the same
UPDATE for every order it confirmed or numbered."""


def update_statement(instance: models.Model, fields: Sequence[str]) -> Statement:
    """The UPDATE ``instance.save(update_fields=fields)`` sends for a saved instance: the
    ``fields``' values prepared as ``save()`` prepares them, by primary key (no signals are
    sent). Its SQL is compiled once per model, fields and NULL values; values that are
    expressions or model instances are compiled each time."""
    meta = instance._meta
    connection = transaction.get_connection()
    named = {field.name: field for field in meta.concrete_fields}
    changed = [named[name] for name in fields]
    values = [field.pre_save(instance, False) for field in changed]
    plain = not any(map(_compiled, changed, values))
    prepared = [
        field.get_db_prep_save(value, connection=connection) if plain else None
        for field, value in zip(changed, values, strict=True)
    ]
    kept = plain and not any(hasattr(p, "as_sql") for p in prepared)
    key = (type(instance), tuple(fields), connection.alias, tuple(p is None for p in prepared))
    sql = _UPDATES.get(key) if kept else None
    if sql is None:
        query = UpdateQuery(type(instance))
        query.add_update_fields(
            [(field, None, value) for field, value in zip(changed, values, strict=True)]
        )
        query.add_q(Q(pk=instance.pk))
        sql, params = query.get_compiler(connection=connection).as_sql()
        if kept:
            _UPDATES[key] = sql
        return sql, params
    pk = meta.pk
    assert pk is not None
    key_value = pk.get_db_prep_value(pk.get_prep_value(instance.pk), connection, prepared=True)
    return sql, [*(p for p in prepared if p is not None), key_value]


def _compiled(field: Any, value: Any) -> bool:
    """Whether the INSERT or UPDATE compiler writes ``value`` of ``field`` other than as
    ``%s`` or ``NULL`` (an expression, a model instance, a field with a placeholder of its
    own): such a statement is compiled for each call, not kept."""
    return (
        hasattr(value, "resolve_expression")
        or hasattr(value, "prepare_database_save")
        or hasattr(field, "get_placeholder")
    )


def inserted(objs: Sequence[models.Model], rows: Sequence[tuple[Any, ...]]) -> None:
    """Give ``objs`` the ids an ``insert_statement(objs, returning_ids=True)`` answered, and
    mark them saved, as ``bulk_create`` does."""
    alias = transaction.get_connection().alias
    for obj, (pk, *_) in zip(objs, rows, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def execute_together(statements: Sequence[Statement]) -> list[tuple[Any, ...]]:
    """Run ``statements`` in order in the caller's transaction, in one round trip on
    PostgreSQL (one by one elsewhere); answer the rows of the last (none if it returns
    none). An error in any of them raises as it would alone, and the transaction is
    rolled back as usual."""
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "; ".join(sql for sql, _ in statements),
                [param for _, params in statements for param in params],
            )
            while cursor.nextset():  # to the last statement's result
                pass
        else:
            for sql, params in statements:
                cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []
