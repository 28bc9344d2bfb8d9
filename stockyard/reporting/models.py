from typing import Any
from zoneinfo import ZoneInfo

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from stockyard.core.jobs import BackgroundJob
from stockyard.core.models import TimeStampedModel
from stockyard.reporting.enums import ExportStatus, FileFormat, Frequency

HOURS_IN_DAY = 24


@pghistory.track()
class Export(BackgroundJob):
    """A report file built in the background for the user who asked for it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_exports"
    )
    report = models.CharField(max_length=50)
    params = models.JSONField(default=dict, blank=True)
    format = models.CharField(max_length=4, choices=FileFormat.choices)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True, default="")
    file_name = models.CharField(max_length=200, blank=True, default="")
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values), name="export_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=FileFormat.values), name="export_format_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} export #{self.pk} ({self.status})"


@pghistory.track()
class ReportSchedule(TimeStampedModel):
    """A report emailed to ``recipients`` every day, week (Mondays) or month (the 1st) at
    ``hour`` o'clock in its zone (``zone``: the ``tz`` of its ``params``, else the
    business's ``TIME_ZONE``). ``next_run_at`` is when it is next due; sending it moves
    it on."""

    name = models.CharField(max_length=200)
    report = models.CharField(max_length=50)
    params = models.JSONField(default=dict, blank=True)
    format = models.CharField(max_length=4, choices=FileFormat.choices, default=FileFormat.CSV)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    hour = models.PositiveSmallIntegerField(
        help_text="Hour of the day (0-23) in the schedule's zone: its params' tz, else TIME_ZONE."
    )
    recipients = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="Why the last run failed; empty once a run succeeds.",
    )
    last_error_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hour__gte=0, hour__lt=HOURS_IN_DAY), name="report_schedule_hour_0_23"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="report_schedule_frequency_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=FileFormat.values), name="report_schedule_format_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        """Where its ``hour`` and the days its runs cover are: the ``tz`` of its
        ``params`` (an IANA name, checked when saved), else ``TIME_ZONE``."""
        return ZoneInfo(self.params.get("tz") or settings.TIME_ZONE)


SUMMARY_AMOUNT_PLACES = 13  # an amount's 3 places times a rate's 10: sums stay exact


def _summed_quantity() -> models.DecimalField[Any, Any]:
    """A sum of quantities (3 places, as lines keep them), zero until something is added."""
    return models.DecimalField(max_digits=24, decimal_places=3, default=0, db_default=0)


def _summed_amount() -> models.DecimalField[Any, Any]:
    """A sum of amounts in DEFAULT_CURRENCY at each document's rate, unrounded."""
    return models.DecimalField(
        max_digits=40, decimal_places=SUMMARY_AMOUNT_PLACES, default=0, db_default=0
    )


class SalesMeasures(models.Model):
    """What the sales summaries keep per key: ``confirmed_orders``, ``sold_quantity`` and
    ``sold_revenue`` of the orders confirmed, ``returned_*`` of the customer returns
    received, amounts in DEFAULT_CURRENCY at each order's rate, unrounded."""

    confirmed_orders = models.IntegerField(default=0, db_default=0)
    sold_quantity = _summed_quantity()
    sold_revenue = _summed_amount()
    returned_quantity = _summed_quantity()
    returned_revenue = _summed_amount()

    class Meta:
        abstract = True


class SalesHour(SalesMeasures):
    """Sales per UTC hour, warehouse and order currency, kept by the sales services in the
    transaction of each change (``reporting.summaries``): what the sales report's day,
    week and month rows add up instead of the order lines.

    ``confirmed_orders``, ``sold_quantity`` and ``sold_revenue`` belong to the hour the
    orders were confirmed
    (an order counts once, in that hour: so orders add up across hours); ``returned_*``
    to the hour customer returns were received. Amounts are in DEFAULT_CURRENCY at each
    order's rate, unrounded (13 places: an amount's 3 times a rate's 10), so sums of
    hours are the sums of the lines exactly."""

    hour = models.DateTimeField(help_text="Start of the UTC hour.")
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    currency = models.CharField(max_length=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "warehouse", "currency"], name="sales_hour_key"
            ),
        ]

    def __str__(self) -> str:
        return f"sales {self.hour:%Y-%m-%d %H}:00 UTC, warehouse {self.warehouse_id}"


class SalesDay(SalesMeasures):
    """Sales per day of the business's zone (``TIME_ZONE``), warehouse and order
    currency: the measures of ``SalesHour``, kept by the same statement, for the day in
    that zone the orders were confirmed (returns received) in. A year is at most 365 rows
    per warehouse and currency; reports in the business's zone read it, whatever the
    zone's offset (``reporting.summaries``)."""

    day = models.DateField(help_text="The day in the business's time zone.")
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    currency = models.CharField(max_length=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "warehouse", "currency"], name="sales_day_key"),
        ]

    def __str__(self) -> str:
        return f"sales {self.day:%Y-%m-%d}, warehouse {self.warehouse_id}"


class BlockKey(models.Model):
    """The period of a grouped summary row: a block of days within a month
    (``reporting.blocks``), in the business's zone for sales (``TIME_ZONE``), of
    ``order_date`` for purchases. Its group's measures for that block are kept in the
    transaction of each change, six times (once per span): any period per group is read
    from its whole months and at most five blocks at each end."""

    start = models.DateField(help_text="The block's first day.")
    span = models.PositiveSmallIntegerField(help_text="2**span days, or 5: the whole month.")

    class Meta:
        abstract = True


class SalesProductBlock(SalesMeasures, BlockKey):
    """Sales of one product per block of days: what the sales report's product rows add
    up instead of the order lines. ``confirmed_orders`` counts the orders with the
    product (once each, however many of its lines name it), in the block they were
    confirmed in; the rest are the product's share, as the report computes it."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["start", "span", "product"], name="sales_product_block_key"
            ),
        ]

    def __str__(self) -> str:
        return f"sales of product {self.product_id}, {self.start:%Y-%m-%d} span {self.span}"


class SalesCustomerBlock(SalesMeasures, BlockKey):
    """Sales to one customer per block of days: what the sales report's customer rows
    add up instead of the order lines (an order has one customer: its orders add up)."""

    customer = models.ForeignKey(
        "partners.Customer", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["start", "span", "customer"], name="sales_customer_block_key"
            ),
        ]

    def __str__(self) -> str:
        return f"sales to customer {self.customer_id}, {self.start:%Y-%m-%d} span {self.span}"


class PurchaseMeasures(models.Model):
    """What the purchases summaries sum (``reporting.summaries``): the orders submitted
    and not cancelled (an order counts once, on its date: so orders add up across days),
    the quantity ordered and received, the spend (line totals) and the received value
    (received quantity x unit cost, each line rounded to its currency's minor unit),
    amounts in DEFAULT_CURRENCY at each order's rate, unrounded. A row whose orders were
    all cancelled stays, at zero."""

    submitted_orders = models.IntegerField(default=0, db_default=0)
    ordered_quantity = _summed_quantity()
    ordered_spend = _summed_amount()
    received_quantity = _summed_quantity()
    received_amount = _summed_amount()

    class Meta:
        abstract = True


class PurchaseDay(PurchaseMeasures):
    """Purchases per ``order_date``, warehouse, order currency and supplier, kept by the
    purchasing services in the transaction of each change: what the purchases report's
    month and supplier rows add up instead of the order lines when a filter narrows them
    or they are per supplier."""

    day = models.DateField(help_text="The orders' order_date.")
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    currency = models.CharField(max_length=3)
    supplier = models.ForeignKey(
        "partners.Supplier", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "warehouse", "currency", "supplier"], name="purchase_day_key"
            ),
        ]

    def __str__(self) -> str:
        return f"purchases {self.day:%Y-%m-%d}, warehouse {self.warehouse_id}"


class PurchaseDate(PurchaseMeasures):
    """Purchases per ``order_date`` alone (all warehouses, currencies and suppliers), kept
    by the statement that keeps ``PurchaseDay``: at most 365 rows a year, what the
    purchases report's month rows add up when nothing narrows them."""

    day = models.DateField(unique=True, help_text="The orders' order_date.")

    def __str__(self) -> str:
        return f"purchases {self.day:%Y-%m-%d}"


class PurchaseProductBlock(PurchaseMeasures, BlockKey):
    """Purchases of one product per block of order dates: what the purchases report's
    product rows add up instead of the lines (``submitted_orders``: the orders with the
    product, once each)."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["start", "span", "product"], name="purchase_product_block_key"
            ),
        ]

    def __str__(self) -> str:
        return f"purchases of product {self.product_id}, {self.start:%Y-%m-%d} span {self.span}"


class PurchaseSupplierBlock(PurchaseMeasures, BlockKey):
    """Purchases from one supplier per block of order dates: what the purchases report's
    supplier rows add up when nothing but the supplier narrows them."""

    supplier = models.ForeignKey(
        "partners.Supplier", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["start", "span", "supplier"], name="purchase_supplier_block_key"
            ),
        ]

    def __str__(self) -> str:
        return f"purchases from supplier {self.supplier_id}, {self.start:%Y-%m-%d} span {self.span}"


class FulfillmentDay(models.Model):
    """Shipments that left, per day of the business's zone (``TIME_ZONE``), kept by the
    shipping services when a shipment ships (``reporting.summaries``): what the
    fulfillment report's day, week and month rows add up instead of the shipments.

    Keyed as well by what the measures the API defines need to add up: ``waited_hours``,
    the whole hours from the order's confirmation the shipment left within (``ceil``, at
    most 8,761: a shipment is on time for ``on_time_hours=N`` when ``waited_hours <= N``),
    and ``previous_day``, the day the order's previous shipment left (null for its first):
    the orders shipped in a bucket starting on day ``d`` are the shipments in it whose
    ``previous_day`` is null or before ``d``. ``waited_seconds`` adds up their times
    from confirmation, to the microsecond."""

    day = models.DateField(help_text="The day in the business's time zone it left.")
    previous_day = models.DateField(null=True)
    waited_hours = models.IntegerField()
    shipped = models.IntegerField(default=0, db_default=0, help_text="Shipments.")
    waited_seconds = models.DecimalField(max_digits=24, decimal_places=6, default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "previous_day", "waited_hours"],
                name="fulfillment_day_key",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"fulfillment {self.day:%Y-%m-%d}, {self.waited_hours} h"


class SummaryBuild(models.Model):
    """A summary that ``rebuild_report_summaries`` has built from the whole history: from
    then on the services keep it, and reports read it. Without a row, reports read the
    documents (a database upgraded from before summaries, until the command has run)."""

    name = models.CharField(max_length=50, primary_key=True)
    built_at = models.DateTimeField()
    zone = models.CharField(
        max_length=64,
        blank=True,
        default="",
        db_default="",
        help_text="The TIME_ZONE its daily rows were built in; empty: none were.",
    )

    def __str__(self) -> str:
        return f"{self.name} summary, built {self.built_at:%Y-%m-%d %H:%M}"
