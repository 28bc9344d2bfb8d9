"""Base models and fields shared by every app."""

from decimal import Decimal
from typing import Any

from django.db import models, transaction

from stockyard.core import decimals
from stockyard.core.errors import Conflict


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class QuantityField(models.DecimalField[Decimal, Decimal]):
    """A quantity: up to 3 decimal places."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", decimals.QUANTITY_DIGITS)
        kwargs.setdefault("decimal_places", decimals.QUANTITY_PLACES)
        super().__init__(*args, **kwargs)


class MoneyField(models.DecimalField[Decimal, Decimal]):
    """An amount of money: 2 decimal places."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", decimals.MONEY_DIGITS)
        kwargs.setdefault("decimal_places", decimals.MONEY_PLACES)
        super().__init__(*args, **kwargs)


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an ``Idempotency-Key``, per user and key.

    A row without ``response_status`` is a request still running; ``locked_until`` lets a
    retry take over a key whose first request died without finishing.
    """

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    locked_until = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    response_location = models.CharField(max_length=2000, blank=True)
    response_body = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


def delete_unreferenced(instance: models.Model, *, what: str) -> None:
    """Delete ``instance``, or refuse with 409 when documents or movements refer to it."""
    try:
        with transaction.atomic():
            instance.delete()
    except (models.ProtectedError, models.RestrictedError) as exc:
        raise Conflict(
            f"This {what} is referenced by other records; deactivate it instead (is_active=false)."
        ) from exc
