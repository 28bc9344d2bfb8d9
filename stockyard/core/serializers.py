"""Serializer building blocks shared by every app's API."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Model
from rest_framework import serializers


class BatchedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField[Any]):
    """A primary key found among the rows ``BatchedListSerializer`` fetched for the whole
    list in one query. Anything else (an id not among them, a string) is looked up and
    refused exactly as ``PrimaryKeyRelatedField`` does."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.batch: dict[Any, Model] = {}

    def fetch(self, ids: set[int]) -> None:
        queryset = self.get_queryset()
        self.batch = queryset.in_bulk(ids) if ids and queryset is not None else {}

    def to_internal_value(self, data: Any) -> Any:
        if type(data) is int and self.pk_field is None and data in self.batch:
            return self.batch[data]
        return super().to_internal_value(data)


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
