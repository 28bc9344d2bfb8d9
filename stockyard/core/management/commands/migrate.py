"""``manage.py migrate`` that gives up instead of queueing the site behind it.

A migration that needs a table lock (``ALTER TABLE``, ``CREATE INDEX``) waits behind any
open transaction on that table, and every query arriving after it waits behind the
migration: the API stalls. On PostgreSQL this command sets, for its own session only,
``lock_timeout`` (``MIGRATION_LOCK_TIMEOUT``, default ``5s``) and ``statement_timeout``
(``MIGRATION_STATEMENT_TIMEOUT``, default ``5min``): a lock not granted in time fails
the migration fast (``LockNotAvailable``), to be retried at a quieter moment. Run it
straight against PostgreSQL, not through PgBouncer in transaction mode, where a session
setting would not stick. Policy: docs/deployment.md.
"""

from typing import Any

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Lock and statement timeouts apply (docs/deployment.md)."

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            super().handle(*args, **options)
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, false),"
                " set_config('statement_timeout', %s, false)",
                [settings.MIGRATION_LOCK_TIMEOUT, settings.MIGRATION_STATEMENT_TIMEOUT],
            )
        try:
            super().handle(*args, **options)
        finally:  # the connection lives on in tests and in callers of call_command
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout; RESET statement_timeout")
