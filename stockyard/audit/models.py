"""Where the audit trail is stored, and the one view across it.

Tracking a model takes one line, ``@pghistory.track()`` on the class, and
``makemigrations``: django-pghistory then generates ``<Model>Event`` in the model's own
app, and PostgreSQL triggers write a row there on every INSERT, UPDATE and DELETE of the
model's table, whatever issued it (ORM, bulk update, raw SQL, ``psql``). Each row is a
copy of the tracked row (encrypted columns stay ciphertext) plus ``pgh_context``: the
user, request id or source the writer attached (see ``context.py``).
"""

from typing import Any

import pghistory
import pghistory.models
from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql.compiler import SQLCompiler

EVENT_ID_SEQUENCE = "audit_event_id_seq"


class NextEventId(models.Func):
    """``nextval`` of the sequence every event table takes its ids from, so that an audit
    entry's id is one integer, unique and increasing across all tables. The sequence is
    made before migrations run (``apps._create_event_id_sequence``). Only PostgreSQL
    writes event rows (the triggers are PostgreSQL's): elsewhere the column has no default.
    """

    template = f"nextval('{EVENT_ID_SEQUENCE}')"
    output_field = models.BigIntegerField()

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        return "NULL", ()


class Event(pghistory.models.Event):
    """The base of every generated event model (``PGHISTORY_BASE_MODEL``)."""

    pgh_id = models.BigIntegerField(primary_key=True, db_default=NextEventId())

    class Meta:
        abstract = True


class AuditEntry(pghistory.models.Events):
    """Every event of every tracked model, as one queryset (a SQL query, not a table):
    ``pgh_data`` is the row, ``pgh_diff`` maps changed columns to ``[old, new]``, and the
    context's ``user``, ``request_id`` and ``source`` are columns of their own."""

    actor = pghistory.ProxyField(
        "pgh_context__user",
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            on_delete=models.DO_NOTHING,
            null=True,
            related_name="+",
            help_text="The user who made the change; empty for commands and tasks.",
        ),
    )
    request_id = pghistory.ProxyField(
        "pgh_context__request_id",
        models.TextField(null=True, help_text="The X-Request-ID of the HTTP request."),
    )
    source = pghistory.ProxyField(
        "pgh_context__source",
        models.TextField(null=True, help_text="`command:<name>` or `task:<name>`."),
    )

    class Meta:
        proxy = True
