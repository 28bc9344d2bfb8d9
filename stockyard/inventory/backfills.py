"""Backfills run by hand after a deploy (docs/deployment.md, *Long backfills are not
migrations*): in batches, each in its own short transaction, idempotent."""

from django.db import transaction
from django.db.models import OuterRef, Subquery

from stockyard.catalog.models import Product
from stockyard.inventory.models import StockLevel, Warehouse

BATCH_SIZE = 1_000


def reorder_points_backfill(*, batch_size: int = BATCH_SIZE) -> int:
    """Give every stock level its product's reorder point where it differs: levels the
    previous release created (with the column's default, 0), or whose product's point
    it changed, while both releases ran. Per batch, the levels are locked, then their
    products, in the order stock operations and product changes take them (no
    deadlock), so the points copied are the committed ones. Answers how many levels it
    changed."""
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
            list(
                Product.objects.select_for_update(no_key=True)
                .filter(pk__in=batch.values("product"))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            point = Subquery(Product.objects.filter(pk=OuterRef("product")).values("reorder_point"))
            changed += batch.exclude(reorder_point=point).update(reorder_point=point)


def sort_keys_backfill(*, batch_size: int = BATCH_SIZE) -> int:
    """Give every stock level its product's SKU and its warehouse's code (the levels'
    order) where they differ: levels the previous release created (with the columns'
    default, ''), or whose SKU or code it changed, while both releases ran. Per batch,
    the levels are locked, then their products, then their warehouses, in the order
    stock operations and product and warehouse changes take them (no deadlock), so the
    values copied are the committed ones. Answers how many levels it changed."""
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
            for model, key in ((Product, "product"), (Warehouse, "warehouse")):
                list(
                    model.objects.select_for_update(no_key=True)
                    .filter(pk__in=batch.values(key))
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
            sku = Subquery(Product.objects.filter(pk=OuterRef("product")).values("sku"))
            code = Subquery(Warehouse.objects.filter(pk=OuterRef("warehouse")).values("code"))
            changed += batch.exclude(product_sku=sku, warehouse_code=code).update(
                product_sku=sku, warehouse_code=code
            )
