"""Serializer building blocks shared by every app's API."""

import copy
from collections.abc import Mapping
from operator import attrgetter
from typing import Any, cast

from django.conf import settings
from django.db.models import Manager, Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField

from stockyard.core.compiled import by_primary_key, by_primary_keys
from stockyard.core.decimals import AMOUNT_DIGITS, AMOUNT_PLACES, money
from stockyard.core.documents import line_count


class BatchedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField[Any]):
    """A primary key found among the rows ``BatchedListSerializer`` fetched for the whole
    list in one query. Anything else (an id not among them, a string) is looked up and
    refused exactly as ``PrimaryKeyRelatedField`` does.

    A field reading the related model's default manager reads with SQL compiled once per
    process and number of ids (``core.compiled.by_primary_keys``); one whose queryset
    narrows the rows (or is another manager) reads them with ``in_bulk``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.batch: dict[Any, Model] = {}

    def fetch(self, ids: set[int]) -> None:
        """Read the rows of ``ids`` (JSON integers; none: nothing is read) into ``batch``."""
        rows = cast(Any, self).queryset
        if not ids or rows is None:
            self.batch = {}
        elif _default_manager(rows) and self.pk_field is None:
            found = by_primary_keys(rows.model).all(tuple(sorted(ids)))
            self.batch = {row.pk: row for row in found}
        else:
            self.batch = cast(Any, self.get_queryset()).in_bulk(ids)

    def to_internal_value(self, data: Any) -> Any:
        if type(data) is int and self.pk_field is None and data in self.batch:
            return self.batch[data]
        return super().to_internal_value(data)


def _default_manager(rows: Any) -> bool:
    """Whether a related field's ``queryset`` is its model's default manager: every row,
    as ``core.compiled``'s reads by primary key read them."""
    return isinstance(rows, Manager) and rows is rows.model._default_manager


class KeyedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField[Any]):
    """A primary key of any row of the related model, read with SQL compiled once per
    process (``core.compiled``), not built and compiled by the ORM for each request. The
    answers are ``PrimaryKeyRelatedField``'s: the row, ``does_not_exist`` for an id of no
    row, ``incorrect_type`` for anything that is no id. A field whose queryset narrows the
    rows (``limit_choices_to``, a queryset or another manager given) reads as
    ``PrimaryKeyRelatedField``."""

    def to_internal_value(self, data: Any) -> Any:
        rows = cast(Any, self).queryset
        if not _default_manager(rows) or self.pk_field is not None:
            return super().to_internal_value(data)
        try:
            if isinstance(data, bool):
                raise TypeError
            found = by_primary_key(rows.model).one(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


class BatchedListSerializer(serializers.ListSerializer[Any]):
    """Nested lines (``many=True``) whose related ids are fetched for all lines at once:
    one query per related field instead of one per line.

    The child serializer sets ``serializer_related_field = BatchedPrimaryKeyRelatedField``
    and ``Meta.list_serializer_class = BatchedListSerializer``.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, list):
            for name, field in self.child.fields.items():  # type: ignore[union-attr]
                if isinstance(field, BatchedPrimaryKeyRelatedField) and not field.read_only:
                    field.fetch(
                        {
                            item[name]
                            for item in data
                            if isinstance(item, Mapping) and type(item.get(name)) is int
                        }
                    )
        return super().to_internal_value(data)


class FieldsBuiltOnce(serializers.ModelSerializer[Any]):
    """A model serializer whose fields are built from the model once per class and then
    copied for each instance: building costs about twice as much as DRF's deep copy, and
    happens for every serializer of every request.

    Plain fields are copied shallowly, not deeply as DRF copies declared fields (which
    builds each field again from its arguments: ~10 % of an order's CPU): a field's state
    in a request is its binding (``bind``: name, parent, source), set on the copy, and
    what the copies share — validators, choices, error messages, a queryset — they only
    read. Nested serializers and many-related fields, which hold fields of their own, are
    copied deeply.

    Only for serializers whose fields depend on nothing but the class (not on the
    instance, the request or the context) and have no mutable default.
    """

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        built = type(self).__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built_once = built  # type: ignore[attr-defined]
        return {
            name: copy.deepcopy(field) if isinstance(field, _HOLDING_FIELDS) else _copied(field)
            for name, field in built.items()
        }


_HOLDING_FIELDS = (serializers.BaseSerializer, ManyRelatedField)


def _copied(field: serializers.Field[Any, Any, Any, Any]) -> Any:
    """What ``copy.copy(field)`` answers (a field of the same class holding the same
    attributes: DRF's fields keep their state in ``__dict__``), without ``copy``'s generic
    reduce-and-rebuild, ~3x the CPU for each of the ~40 fields an order's answer copies."""
    twin = object.__new__(type(field))
    twin.__dict__.update(field.__dict__)
    return twin


class AmountField(serializers.DecimalField):
    """A read-only amount shown with its currency's minor unit (ISO 4217): ``"19.99"`` in
    USD, ``"1999"`` in JPY, ``"1.999"`` in KWD. ``currency`` is the dotted path from the
    object to its currency code (``"currency"``, ``"order.currency"``), or ``None`` for
    amounts in ``DEFAULT_CURRENCY`` (stock values). ``max_digits`` defaults to the amount
    columns' ``AMOUNT_DIGITS``; a value computed from larger factors may say more."""

    def __init__(self, *, currency: str | None = "currency", **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("max_digits", AMOUNT_DIGITS)
        super().__init__(decimal_places=AMOUNT_PLACES, **kwargs)
        self.currency_path = currency

    def get_attribute(self, instance: Any) -> Any:
        value = super().get_attribute(instance)
        if value is None:
            return None
        if self.currency_path is None:
            return money(value, settings.DEFAULT_CURRENCY)
        return money(value, attrgetter(self.currency_path)(instance))

    def to_representation(self, value: Any) -> str:
        return format(value, "f")


def document_lines(
    child: type[serializers.BaseSerializer[Any]], *, listed: bool = True, **kwargs: Any
) -> Any:
    """A document's nested lines (``child(many=True)``): at most ``MAX_DOCUMENT_LINES``,
    refused with 400 at ``lines`` before any line is read. ``listed``: the document also
    appears in lists, which show only its first ``LIST_DOCUMENT_LINES`` lines
    (``core.documents``); its serializer then has a ``LineCountField``."""
    options: dict[str, Any] = {"many": True, "max_length": settings.MAX_DOCUMENT_LINES}
    if listed:
        options["help_text"] = (
            f"Every line (at most {settings.MAX_DOCUMENT_LINES}). In a list of documents, only "
            f"the first {settings.LIST_DOCUMENT_LINES} by id: `line_count` says how many there "
            "are, and the document's own URL shows them all."
        )
    return child(**options, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class LineCountField(serializers.Field):
    """How many lines the document has, lists included (where ``lines`` is cut short)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            "How many lines the document has; in lists, where `lines` shows at most "
            f"{settings.LIST_DOCUMENT_LINES}, the number of all of them.",
        )
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> int:
        return line_count(value)
