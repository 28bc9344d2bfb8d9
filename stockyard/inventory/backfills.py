"""Backfills run by hand after a deploy (docs/deployment.md, *Long backfills are not
migrations*): in batches, each in its own short transaction, idempotent."""

from django.db import models, transaction
from django.db.models import OuterRef, Subquery

from stockyard.catalog.models import Product
from stockyard.inventory.models import StockLevel, Warehouse

BATCH_SIZE = 1_000

Copy = tuple[type[models.Model], str, str]
"""What a stock level's column copies: ``(model, the level's foreign key to it, its
column)``."""


def reorder_points_backfill(*, batch_size: int = BATCH_SIZE) -> int:
    """Give every stock level its product's reorder point where it differs: levels the
    previous release created (with the column's default, 0), or whose product's point
    it changed, while both releases ran. Answers how many levels it changed
    (``_levels_copies_mended``)."""
    return _levels_copies_mended(
        {"reorder_point": (Product, "product", "reorder_point")}, batch_size=batch_size
    )


def sort_keys_backfill(*, batch_size: int = BATCH_SIZE) -> int:
    """Give every stock level its product's SKU and its warehouse's code (the levels'
    order) where they differ: levels the previous release created (with the columns'
    default, ''), or whose SKU or code it changed, while both releases ran. Answers how
    many levels it changed (``_levels_copies_mended``)."""
    return _levels_copies_mended(
        {
            "product_sku": (Product, "product", "sku"),
            "warehouse_code": (Warehouse, "warehouse", "code"),
        },
        batch_size=batch_size,
    )


def _levels_copies_mended(copies: dict[str, Copy], *, batch_size: int) -> int:
    """Set each level column of ``copies`` to the column it copies, on the levels where
    any differs, ``batch_size`` levels by id at a time, each batch in its own
    transaction. Per batch, the levels are locked, then the rows they copy from, model
    by model in the order of ``copies`` (products before warehouses), in the order stock
    operations and product and warehouse changes take them (no deadlock), so the values
    copied are the committed ones. Answers how many levels it changed."""
    copied_from = list(dict.fromkeys((model, key) for model, key, _ in copies.values()))
    values = {
        column: Subquery(model._default_manager.filter(pk=OuterRef(key)).values(source))
        for column, (model, key, source) in copies.items()
    }
    changed, after = 0, 0
    while True:
        with transaction.atomic():
            ids = list(
                StockLevel.objects.select_for_update()
                .filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return changed
            after = ids[-1]
            batch = StockLevel.objects.filter(pk__in=ids)
            for model, key in copied_from:
                list(
                    model._default_manager.select_for_update(no_key=True)
                    .filter(pk__in=batch.values(key))
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
            changed += batch.exclude(**values).update(**values)
