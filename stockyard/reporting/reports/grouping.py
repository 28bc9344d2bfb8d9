"""Rows of measures grouped by a time bucket or by an object (product, partner).

The database groups and aggregates (one query for the rows, one for the totals); time
buckets with no data are filled in with zeros.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
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


PRODUCT = ObjectGroup(
    "product", "product", {"sku": "product__sku", "name": "product__name"}, "product__sku"
)
"""Rows per product, of rows with a ``product`` key (order lines, summaries)."""

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


@dataclass(frozen=True)
class GroupBlocks:
    """A summary keyed by block of days and by the object of ``group``
    (``reporting.blocks``): ``model``'s rows."""

    model: type[Model]
    group: ObjectGroup


def blocks_asked(
    params: Mapping[str, Any], blocks: Mapping[str, GroupBlocks], filters: Iterable[str]
) -> GroupBlocks | None:
    """The block summary that answers the rows ``params`` ask for, if one does: rows per
    one of ``blocks``' objects, narrowed by none of ``filters`` but that object."""
    asked = blocks.get(params["group_by"])
    if asked is None or any(
        params[name] is not None for name in filters if name != asked.group.name
    ):
        return None
    return asked


def rows_from_blocks(
    asked: GroupBlocks,
    params: Mapping[str, Any],
    *,
    measures: Mapping[str, Aggregate],
    at_zero: Q,
    days: QuerySet[Any],
) -> tuple[list[Column], list[Row], dict[str, Any]]:
    """The key columns, rows and totals of ``measures`` per object from the blocks that
    make up the period: its whole months and at most five blocks at each end, so an
    object's period costs at most 22 rows a year, not its documents; less rows
    ``at_zero`` (whose documents were all cancelled: the documents have no row for them).
    The totals count distinct orders: from ``days``, the period's day summary (an order
    with two products is in two products' rows), or from the blocks when ``params`` ask
    for one object."""
    group = asked.group
    blocks = asked.model._default_manager.filter(
        covering_q(params["date_from"], params["date_to"])
    ).exclude(at_zero)
    blocks = narrowed(blocks, params, {group.name: group.path})
    keys, rows = summed_per_object(blocks, group=group, measures=measures)
    one_object = params[group.name] is not None
    return keys, rows, (blocks if one_object else days).aggregate(**measures)


def summed_per_object(
    rows: QuerySet[Any], *, group: ObjectGroup, measures: Mapping[str, Aggregate]
) -> tuple[list[Column], list[Row]]:
    """The key columns and the rows of ``measures`` per object of ``group`` (``rows``
    name it by their foreign key ``group.name``): summed per object id first, then joined
    to the objects for their labels and order. (Grouped by id and labels at once, the
    database sorted every summary row by label to group them: twice the time for the
    60,000 rows of a year per product at the benchmark's large size.)"""
    key = rows.model._meta.get_field(group.name)
    objects = key.related_model._meta

    def column(path: str) -> str:
        return objects.get_field(path.rsplit("__", maxsplit=1)[-1]).column

    per_id = rows.values(object_id=F(group.name)).annotate(**measures).order_by()
    sql, params = per_id.query.sql_with_params()
    labels = "".join(f', o."{column(path)}" AS "{label}"' for label, path in group.labels.items())
    sums = "".join(f', s."{name}"' for name in measures)
    with connections[rows.db].cursor() as cursor:
        cursor.execute(
            f'SELECT s."object_id"{labels}{sums} FROM ({sql}) AS s '
            f'JOIN "{objects.db_table}" AS o ON o."{objects.pk.column}" = s."object_id" '
            f'ORDER BY o."{column(group.order_by)}", s."object_id"',
            params,
        )
        names = [group.name, *group.labels, *measures]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return group.columns(), [{"key": row[group.name], **row} for row in found]
