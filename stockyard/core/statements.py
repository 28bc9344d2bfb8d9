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


def insert_statement(objs: Sequence[models.Model], *, returning_ids: bool = False) -> Statement:
    """The INSERT ``bulk_create`` sends for ``objs``, new rows of one model without primary
    keys: every concrete column but the key, values prepared by the fields as for a save;
    with ``returning_ids`` it answers the new ids, one row each, in the order of ``objs``
    (give them to ``inserted``)."""
    meta = type(objs[0])._meta
    query = InsertQuery(type(objs[0]))
    query.insert_values(
        [field for field in meta.concrete_fields if field is not meta.pk and not field.generated],
        list(objs),
    )
    compiler = query.get_compiler(connection=transaction.get_connection())
    compiler.returning_fields = [meta.pk] if returning_ids else None
    [(sql, params)] = compiler.as_sql()
    return sql, params


def update_statement(instance: models.Model, fields: Sequence[str]) -> Statement:
    """The UPDATE ``instance.save(update_fields=fields)`` sends for a saved instance: the
    ``fields``' values prepared as ``save()`` prepares them, by primary key (no signals are
    sent)."""
    named = {field.name: field for field in instance._meta.concrete_fields}
    query = UpdateQuery(type(instance))
    query.add_update_fields(
        [(named[name], None, named[name].pre_save(instance, False)) for name in fields]
    )
    query.add_q(Q(pk=instance.pk))
    sql, params = query.get_compiler(connection=transaction.get_connection()).as_sql()
    return sql, params


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
