"""Base models and fields shared by every app."""

from collections.abc import Callable, Collection, Iterable, Sequence
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models.expressions import Combinable
from django.db.models.functions import Round

from stockyard.core import decimals, references
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
    """A quantity: up to 3 decimal places (its product's unit may allow fewer)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", decimals.QUANTITY_DIGITS)
        kwargs.setdefault("decimal_places", decimals.QUANTITY_PLACES)
        super().__init__(*args, **kwargs)


class MoneyField(models.DecimalField[Decimal, Decimal]):
    """An amount of money in its document's currency, rounded to that currency's minor
    unit (ISO 4217); 3 places are stored, enough for every currency in use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", decimals.AMOUNT_DIGITS)
        kwargs.setdefault("decimal_places", decimals.AMOUNT_PLACES)
        super().__init__(*args, **kwargs)


class PriceField(models.DecimalField[Decimal, Decimal]):
    """A unit price or cost: 4 places (``0.0125`` a piece)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", decimals.PRICE_DIGITS)
        kwargs.setdefault("decimal_places", decimals.PRICE_PLACES)
        super().__init__(*args, **kwargs)


class PercentField(models.DecimalField[Decimal, Decimal]):
    """A percentage with 4 places: ``20`` is 20 %, ``6.625`` is 6.625 %."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", decimals.PERCENT_DIGITS)
        kwargs.setdefault("decimal_places", decimals.PERCENT_PLACES)
        kwargs.setdefault("default", Decimal(0))
        super().__init__(*args, **kwargs)


class RateField(models.DecimalField[Decimal, Decimal]):
    """An exchange rate: units of one currency per unit of another, 10 places."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", decimals.RATE_DIGITS)
        kwargs.setdefault("decimal_places", decimals.RATE_PLACES)
        super().__init__(*args, **kwargs)


def money_in(value: Combinable, *, currency: str) -> models.Case:
    """A database expression: ``value`` (an amount expression) rounded half-up to the minor
    unit (ISO 4217, ``decimals.minor_unit``) of the currency code in the field ``currency``
    (a lookup path: ``"order__currency"``), as ``decimals.money`` rounds in Python.
    PostgreSQL's ``round(numeric, n)`` rounds halves away from zero, as half-up does."""
    groups = decimals.currencies_by_minor_unit()
    return models.Case(
        *(
            models.When(**{f"{currency}__in": codes}, then=Round(value, places))
            for places, codes in groups.items()
            if places != decimals.DEFAULT_MINOR_UNIT
        ),
        default=Round(value, decimals.DEFAULT_MINOR_UNIT),
        output_field=models.DecimalField(),
    )


def overflowing(instance: models.Model, fields: Iterable[str]) -> list[str]:
    """Those of ``fields``, decimal fields of ``instance``, whose values (given or
    computed) its columns cannot hold: the limits come from the columns themselves."""
    too_large = []
    for name in fields:
        column = instance._meta.get_field(name)
        assert isinstance(column, models.DecimalField)
        value = getattr(instance, name)
        digits, places = column.max_digits or 0, column.decimal_places or 0
        if value is not None and not decimals.fits(value, digits, places):
            too_large.append(name)
    return too_large


def too_large_message(model: type[models.Model], field: str) -> str:
    column = model._meta.get_field(field)
    assert isinstance(column, models.DecimalField)
    integer_digits = (column.max_digits or 0) - (column.decimal_places or 0)
    return f"Too large: {field} holds at most {integer_digits} digits before the decimal point."


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
    """Delete ``instance``, or refuse with 409 ``conflict`` when documents or movements
    refer to it (protected foreign keys), or records name it otherwise (a report
    schedule's parameters: ``core.references``)."""
    named_by = references.referrers(instance)
    if named_by:
        raise Conflict(
            f"This {what} is named by {', '.join(named_by)}; change or delete "
            f"{'that' if len(named_by) == 1 else 'those'} first, or deactivate it instead."
        )
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


def with_loaded(
    instance: M,
    relation: str,
    rows: Sequence[models.Model],
    *,
    read_as: models.QuerySet[Any] | None = None,
) -> M:
    """``instance`` with ``rows`` as its loaded ``relation`` (a reverse foreign key or a
    many-to-many), as ``prefetch_related`` leaves it: ``instance.<relation>.all()`` answers
    ``rows`` without a query. For rows the caller has just written and holds, so a
    response need not read them back, or has read with ``read_as`` (the relation's rows
    then build on it, as after ``Prefetch(relation, queryset=read_as)``: a later
    ``.get()`` on the relation keeps its annotations). Rows without a primary key (a
    database that cannot return ids from a bulk insert) are not attached: the relation
    is then read as usual.
    """
    if any(row.pk is None for row in rows):
        return instance
    manager = getattr(instance, relation)
    # What prefetch_related does with a Prefetch's queryset.
    loaded = manager.all() if read_as is None else manager._apply_rel_filters(read_as)
    loaded._result_cache = list(rows)
    loaded._prefetch_done = True  # what prefetch_related does with the rows it fetched
    vars(instance).setdefault("_prefetched_objects_cache", {})[relation] = loaded
    return instance
