from decimal import Decimal
from typing import Any, NoReturn

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone

from stockyard.core.decimals import AMOUNT_DIGITS, PRICE_PLACES
from stockyard.core.models import QuantityField, TimeStampedModel
from stockyard.inventory.enums import MovementKind

COST_DIGITS = 18
COST_PLACES = PRICE_PLACES  # rounded with ``core.decimals.price``, as unit costs are
STOCK_VALUE_DIGITS = AMOUNT_DIGITS + 10  # of ``on_hand x average_cost``, computed, not stored


class CostField(models.DecimalField[Decimal, Decimal]):
    """A unit cost: 4 places, like document unit costs, so moving averages do not drift."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", COST_DIGITS)
        kwargs.setdefault("decimal_places", COST_PLACES)
        super().__init__(*args, **kwargs)


@pghistory.track()
class Warehouse(TimeStampedModel):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


LOW_STOCK = models.Q(
    reorder_point__gt=0, on_hand__lte=models.F("reserved") + models.F("reorder_point")
)
"""Levels whose available stock (``on_hand - reserved``) is at or below their product's
reorder point, for products that have one: the condition of ``stock_level_low_idx``, so
a query that filters with exactly this reads that index (the low levels only)."""

STOCK_GAP = models.F("on_hand") - models.F("reserved") - models.F("reorder_point")
"""How far a level's available stock is above its reorder point (``<= 0``: low): the
expression of the statistics ``stock_level_gap_stats`` (migration 0007). PostgreSQL
estimates ``LOW_STOCK`` at a third of the levels (a comparison of two columns); a query
that also filters ``STOCK_GAP <= 0`` (the same condition) is estimated from these
statistics, and reads the low levels' index rather than every level."""


SORT_KEY = ["product_sku", "warehouse_code"]
"""The levels' default order, product SKU then warehouse code, by the levels' copies of
both (``StockLevel``): the same order as ``product__sku, warehouse__code``, without a join."""


# the copies of the product's and the warehouse's columns are theirs, not the level's own
@pghistory.track(exclude=["reorder_point", "product_sku", "warehouse_code"])
class StockLevel(models.Model):
    """What one warehouse holds of one product. Written only by ``inventory.services``.

    ``reorder_point`` is the product's, copied so that the low levels have an index
    (``LOW_STOCK``; no index serves a comparison with another table's column): set when
    the level is created and, when the product's point changes, in the same transaction
    (``inventory.services``).

    ``product_sku`` and ``warehouse_code`` are copies of the product's SKU and the
    warehouse's code, the levels' default order (``SORT_KEY``), kept the same way (set
    when the level is created, and by the services that change a SKU or a code, in their
    transaction), so that a page of levels in that order is read from one index
    (``stock_level_sort_idx``) instead of joining every level before it to its product
    and warehouse. Same type and collation as the originals: the same order."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="stock_levels"
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = QuantityField(default=0)
    reserved = QuantityField(default=0)
    average_cost = CostField(default=0)
    reorder_point = QuantityField(default=0, db_default=0, editable=False)
    product_sku = models.CharField(max_length=64, default="", db_default="", editable=False)
    warehouse_code = models.CharField(max_length=32, default="", db_default="", editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_id", "warehouse_id"]
        indexes = [
            models.Index(
                fields=["product", "warehouse"], condition=LOW_STOCK, name="stock_level_low_idx"
            ),
            # pages in the default order: their ids from the index alone, however deep
            # the page (an index-only scan on PostgreSQL; the id a key column, not an
            # INCLUDE, which SQLite's checks warn about)
            models.Index(fields=[*SORT_KEY, "id"], name="stock_level_sort_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_level_unique"),
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="stock_on_hand_gte_0"),
            models.CheckConstraint(
                condition=models.Q(reserved__gte=0), name="stock_reserved_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(reserved__lte=models.F("on_hand")),
                name="stock_reserved_lte_on_hand",
            ),
            models.CheckConstraint(
                condition=models.Q(average_cost__gte=0), name="stock_average_cost_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand} ({self.reserved} reserved)"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


@pghistory.track(pghistory.InsertEvent())
class StockMovement(models.Model):
    """One line of the append-only stock ledger.

    There is no update or delete path: ``save`` refuses existing rows, ``delete`` refuses
    always, and on PostgreSQL a trigger rejects UPDATE and DELETE in the database too.
    """

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField(help_text="Signed: positive into the warehouse, negative out.")
    kind = models.CharField(max_length=16, choices=MovementKind.choices)
    reference_type = models.CharField(max_length=50, blank=True, default="")
    reference_id = models.PositiveBigIntegerField(null=True, blank=True)
    unit_cost = models.DecimalField(
        max_digits=COST_DIGITS, decimal_places=COST_PLACES, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=100, blank=True, default="")
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["product", "warehouse", "id"], name="movement_product_wh_idx"),
            models.Index(fields=["reference_type", "reference_id"], name="movement_reference_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(quantity=0), name="movement_quantity_not_0")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} of {self.product_id}@{self.warehouse_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Stock movements are append-only: post a correcting movement.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Stock movements are append-only: post a correcting movement.")


@pghistory.track()
class StockBackorder(models.Model):
    """Part of a document line waiting for stock: what could not be reserved when the
    document was confirmed.

    Arrivals in the warehouse reserve for the queue, oldest ``queued_at`` first, in the
    transaction of the arrival. Written only by ``inventory.services``, always under the
    lock of the stock level it waits on, so the queue and the level change together.
    """

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    reference_type = models.CharField(max_length=50, help_text="The document, e.g. sales_order.")
    reference_id = models.PositiveBigIntegerField()
    reference_number = models.CharField(max_length=20, blank=True, default="")
    line_id = models.PositiveBigIntegerField(help_text="The document line waiting.")
    quantity = QuantityField(help_text="Still waiting: not reserved yet.")
    queued_at = models.DateTimeField(help_text="When the document was confirmed: fill order.")

    class Meta:
        ordering = ["queued_at", "id"]
        indexes = [
            models.Index(
                fields=["product", "warehouse", "queued_at", "id"], name="backorder_queue_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reference_type", "line_id"], name="backorder_unique_line"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="backorder_quantity_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.product_id}@{self.warehouse_id} for {self.reference_type}"


@pghistory.track()
class StockTransfer(models.Model):
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    from_warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    to_warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"transfer #{self.pk}"


@pghistory.track()
class StockCount(models.Model):
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"count #{self.pk}"


@pghistory.track()
class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    counted_quantity = QuantityField()
    expected_quantity = QuantityField(help_text="on_hand when the count was posted")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.counted_quantity}"

    @property
    def difference(self) -> Decimal:
        return self.counted_quantity - self.expected_quantity
