"""Field encryption at rest with ``cryptography``'s MultiFernet.

``FIELD_ENCRYPTION_KEYS`` lists Fernet keys: the first encrypts, all decrypt, so a key
can be rotated in by putting it first and running ``manage.py rotate_encryption_keys``.
Values are stored as Fernet tokens (random IV, authenticated): equal plaintexts do not
give equal ciphertexts, so these fields cannot be filtered on in SQL.
"""

from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

TOKEN_PREFIX = "fernet:"


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must name at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS holds an invalid key: {exc}") from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return TOKEN_PREFIX + fernet().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(TOKEN_PREFIX):
        raise ValueError("value is not an encrypted token")
    try:
        return fernet().decrypt(stored.removeprefix(TOKEN_PREFIX).encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted field cannot be read with any key in FIELD_ENCRYPTION_KEYS."
        ) from exc


class EncryptedTextField(models.TextField[str, str]):
    """Text encrypted at rest; reads and writes plaintext in Python. Empty stays empty."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value in (None, ""):
            return value
        return decrypt(value)


MASK = "••••"


def mask(plaintext: str) -> str:
    """How an encrypted value is shown to those who may not read it: ``"••••1234"`` (its
    last four characters), ``"••••"`` when it is four characters or fewer, ``""`` if empty."""
    if not plaintext:
        return ""
    return MASK + plaintext[-4:] if len(plaintext) > 4 else MASK
