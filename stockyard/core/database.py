"""Database connections as a scarce resource: give them back early, and say 503 when none.

Under uvicorn, PostgreSQL connections come from a psycopg pool shared by a process's
request threads (``DATABASE_POOL_MAX_SIZE``). A request that keeps its connection through
slow work that needs none (hashing a password) starves the others; a request that finds
no connection within the pool's timeout must hear 503 ``service_unavailable`` with
``Retry-After``, not a 500.
"""

import psycopg
from django.db import connection
from psycopg_pool import PoolTimeout

# How long a client should wait before retrying when no connection was free (seconds).
RETRY_AFTER_SECONDS = 2
# SQLSTATE classes/codes that mean "no connection", not "your query was wrong":
# 08 connection exceptions, 53300 too_many_connections, 57P03 cannot_connect_now.
_UNAVAILABLE_SQLSTATES = ("08", "53300", "57P03")


def connection_release() -> None:
    """Hand this thread's connection back (to the pool, or close it) unless a transaction
    needs it; the next query takes one again."""
    if not connection.in_atomic_block:
        connection.close()


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says no database connection could be had:
    a pool timeout, a refused or dropped connection, or the server's connection limit."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, PoolTimeout):
            return True
        if isinstance(seen, psycopg.OperationalError):
            return seen.sqlstate is None or seen.sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
        seen = seen.__cause__
    return False
