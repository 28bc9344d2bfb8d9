"""System checks for settings a deployment must get right (``manage.py check --deploy``)."""

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from stockyard.core.encryption import fernet_from_keys


@checks.register(checks.Tags.security)
def check_field_encryption_keys(**kwargs: Any) -> list[checks.CheckMessage]:
    """FIELD_ENCRYPTION_KEYS must hold valid Fernet keys: without one nothing encrypted at
    rest (partners' details, stored idempotent responses) can be written or read."""
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    try:
        fernet_from_keys(keys)
    except ImproperlyConfigured as exc:
        return [
            checks.Error(
                str(exc),
                hint="Set FIELD_ENCRYPTION_KEYS to comma-separated keys made by "
                "cryptography.fernet.Fernet.generate_key().",
                id="stockyard.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_field_encryption_keys_are_your_own(**kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEVELOPMENT_FIELD_ENCRYPTION_KEY in settings.FIELD_ENCRYPTION_KEYS:
        return [
            checks.Error(
                "FIELD_ENCRYPTION_KEYS holds the development key, which is public.",
                hint="Generate your own with Fernet.generate_key() and re-encrypt with "
                "manage.py rotate_encryption_keys.",
                id="stockyard.E002",
            )
        ]
    return []
