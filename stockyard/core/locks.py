"""Named locks for operations that must take turns but have no one row to lock."""

from django.db import transaction


def take_turns(name: str) -> None:
    """Wait until no other transaction holds the lock ``name``, then hold it until the
    current transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite runs one writing transaction
    at a time already, so there is nothing to take.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("take_turns() holds its lock until commit: call it in a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
