"""Named locks for operations that must take turns but have no one row to lock."""

from django.db import transaction
from django.db.migrations.recorder import MigrationRecorder

from stockyard.core.statements import Statement

TAKE_TURN_SQL = "SELECT pg_advisory_xact_lock(hashtext(%s))"


def take_turns(name: str) -> None:
    """Wait until no other transaction holds the lock ``name``, then hold it until the
    current transaction ends.

    PostgreSQL: a transaction-scoped advisory lock, which blocks no reader and no writer
    of data. SQLite runs one writing transaction at a time: an empty UPDATE takes its
    write lock now (waiting up to the busy timeout), rather than a read-then-write
    failing to upgrade its lock later.
    """
    sql, params = take_turns_statement(name)
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(sql, params)


def take_turns_statement(name: str) -> Statement:
    """The statement ``take_turns`` sends, to send along with the statements that must
    run in turn (``core.statements.execute_together``): each statement after it takes its
    snapshot once the lock is held."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("take_turns() holds its lock until commit: call it in a transaction")
    if connection.vendor == "postgresql":
        return TAKE_TURN_SQL, [name]
    table = connection.ops.quote_name(MigrationRecorder.Migration._meta.db_table)
    return f"UPDATE {table} SET id = id WHERE 1 = 0", []
