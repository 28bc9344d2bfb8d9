"""Base models and fields shared by every app."""

from collections.abc import Callable, Collection, Sequence
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from django.db import IntegrityError, models, transaction

from stockyard.core import decimals
from stockyard.core.errors import Conflict, InvalidTransition

M = TypeVar("M", bound=models.Model)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class NumberedDocument(TimeStampedModel):
    """A business document with a human number (``PO-000001``) made from its id.

    ``number`` is NULL only inside the transaction that creates the document, between
    the INSERT and ``assign_number()``: NULLs do not collide under the unique constraint
    (empty strings would), and no counter row is contended for.
    """

    number_prefix: ClassVar[str]
    status: str  # each document declares its own status choices

    number = models.CharField(  # noqa: DJ001
        max_length=20,
        unique=True,
        null=True,
        editable=False,
        help_text="Human number (PO-000001, SO-000001, SH-000001), made from the id.",
    )

    class Meta:
        abstract = True

    def assign_number(self) -> None:
        """Derive the number from the primary key; the caller saves it."""
        self.number = f"{self.number_prefix}{self.pk:06d}"

    def require_status(self, allowed: Collection[str], action: str) -> None:
        """Refuse ``action`` with 409 ``invalid_transition`` unless the status allows it."""
        if self.status not in allowed:
            raise InvalidTransition(
                f"Cannot {action} {self._meta.verbose_name} {self.number}: it is {self.status}."
            )


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


def save_unique(instance: M, ensure_unique: Callable[[M], None]) -> M:
    """Save ``instance`` once ``ensure_unique`` (which raises ``ValidationFailed`` for a
    taken code, SKU or name) lets it through.

    A concurrent transaction may take the value between the check and the insert; the
    unique index then refuses this one. The check runs again once the savepoint is rolled
    back, sees the winner, and raises the 400 the caller expects, not a database error.
    """
    ensure_unique(instance)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        ensure_unique(instance)
        raise
    return instance


def with_loaded(instance: M, relation: str, rows: Sequence[models.Model]) -> M:
    """``instance`` with ``rows`` as its loaded ``relation`` (a reverse foreign key or a
    many-to-many), as ``prefetch_related`` leaves it: ``instance.<relation>.all()`` answers
    ``rows`` without a query. For rows the caller has just written and holds, so a
    response need not read them back. Rows without a primary key (a database that cannot
    return ids from a bulk insert) are not attached: the relation is then read as usual.
    """
    if any(row.pk is None for row in rows):
        return instance
    loaded = getattr(instance, relation).all()
    loaded._result_cache = list(rows)
    loaded._prefetch_done = True  # what prefetch_related does with the rows it fetched
    vars(instance).setdefault("_prefetched_objects_cache", {})[relation] = loaded
    return instance
