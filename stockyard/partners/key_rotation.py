"""Re-encrypt every encrypted column with the first key of ``FIELD_ENCRYPTION_KEYS``.

Used by ``manage.py rotate_encryption_keys``. Fields are discovered through the app
registry, so any model that gains an ``EncryptedTextField`` is rotated too, the audit
trail's copies of them included (so that retiring the old key leaves history readable).
"""

from django.apps import apps
from django.db import models, transaction

from stockyard.audit.maintenance import history_rewrite
from stockyard.core.encryption import EncryptedTextField

EncryptedColumns = dict[type[models.Model], list[str]]


def encrypted_columns() -> EncryptedColumns:
    """Every concrete model with encrypted fields, and those fields' names."""
    found: EncryptedColumns = {}
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        names = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField)
        ]
        if names:
            found[model] = names
    return found


def reencrypt(model: type[models.Model], fields: list[str], *, batch_size: int) -> int:
    """Rewrite ``fields`` of every row of ``model``; returns how many rows were rewritten.

    Rows are read in primary-key order, ``batch_size`` at a time, locked (so a concurrent
    edit is neither overwritten nor lost), decrypted with whichever key opens them and
    written back encrypted with the first key. Call it inside a transaction.
    """
    rows = model._base_manager.select_for_update().only("pk", *fields).order_by("pk")
    rewritten = 0
    batch = list(rows[:batch_size])
    while batch:
        with history_rewrite(model):
            model._base_manager.bulk_update(batch, fields)
        rewritten += len(batch)
        batch = list(rows.filter(pk__gt=batch[-1].pk)[:batch_size])
    return rewritten


@transaction.atomic
def rotate_all(*, batch_size: int) -> dict[str, int]:
    """Re-encrypt every encrypted column of every model, all or nothing: rows per model."""
    return {
        model._meta.label: reencrypt(model, fields, batch_size=batch_size)
        for model, fields in encrypted_columns().items()
    }
