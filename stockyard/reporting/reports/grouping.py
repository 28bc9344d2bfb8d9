"""Rows of measures grouped by a time bucket or by an object (product, partner).

The database groups and aggregates (one query for the rows, one for the totals); time
buckets with no data are filled in with zeros.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Aggregate, F, Model, Q, QuerySet

from stockyard.reporting.blocks import covering_q
from stockyard.reporting.enums import ColumnKind
from stockyard.reporting.reports.params import narrowed, time_bucket
from stockyard.reporting.tables import Column, Row, bucket_expression, bucket_rows


@dataclass(frozen=True)
class ObjectGroup:
    """Rows per object: ``name`` is the id column (and ``key``), ``path`` reaches the id
    from the rows aggregated, ``labels`` name it (``{"sku": "product__sku"}``)."""

    name: str
    path: str
    labels: Mapping[str, str]
    order_by: str

    def columns(self) -> list[Column]:
        return [
            Column("key", ColumnKind.INTEGER),
            Column(self.name, ColumnKind.INTEGER),
            *(Column(label, ColumnKind.TEXT) for label in self.labels),
        ]


TIME_KEY = Column("key", ColumnKind.TEXT)


def grouped_rows(
    queryset: QuerySet[Any],
    *,
    params: Mapping[str, Any],
    date_field: str,
    objects: Sequence[ObjectGroup],
    measures: Mapping[str, Aggregate],
) -> tuple[list[Column], list[Row]]:
    """The key columns and the rows of ``measures`` for ``params["group_by"]``."""
    group_by = params["group_by"]
    bucket = time_bucket(group_by)
    if bucket is not None:
        found = (
            queryset.annotate(bucket=bucket_expression(date_field, bucket))
            .values("bucket")
            .annotate(**measures)
            .order_by("bucket")
        )
        rows = bucket_rows(
            {row.pop("bucket"): row for row in found},
            bucket=bucket,
            date_from=params["date_from"],
            date_to=params["date_to"],
            empty=lambda: dict.fromkeys(measures, 0),
        )
        return [TIME_KEY], rows
    group = next(group for group in objects if group.name == group_by)
    own_field = group.path == group.name
    found = (
        queryset.values(
            *([group.name] if own_field else []),
            **({} if own_field else {group.name: F(group.path)}),
            **{label: F(path) for label, path in group.labels.items()},
        )
        .annotate(**measures)
        .order_by(group.order_by, group.path)
    )
    return group.columns(), [{"key": row[group.name], **row} for row in found]


def period_blocks(
    model: type[Model], params: Mapping[str, Any], *, group: ObjectGroup, at_zero: Q
) -> QuerySet[Any]:
    """The rows of a summary keyed by block and ``group`` (``reporting.blocks``) that make
    up the period: its whole months and at most five blocks at each end, so a group's
    period costs at most 22 rows a year, not its documents; narrowed to
    ``params[group.name]`` when given, less rows ``at_zero`` (whose documents were all
    cancelled: the documents would have no row for them)."""
    blocks = model._default_manager.filter(covering_q(params["date_from"], params["date_to"]))
    return narrowed(blocks.exclude(at_zero), params, {group.name: group.path})
