"""Pre-aggregated sales: sums the sales report's time rows read instead of the order
lines, so a year by day costs what the year's days (or hours) cost, not its orders.

What a summary row holds: per warehouse and order currency, the orders confirmed in its
period and not cancelled — their count, the quantity sold and the revenue (less tax, in
DEFAULT_CURRENCY at each order's rate; a closed order counts what it shipped) — and the
customer returns received in it (quantity and refund less tax). Two grains of the same
sums, written together:

* ``models.SalesDay``: per day of the business's zone (``TIME_ZONE``). A year is 365
  rows per warehouse and currency; reports in that zone (the default) read it, whatever
  the zone's offset.
* ``models.SalesHour``: per UTC hour, for reports in another zone (``tz``) whose days
  start on whole UTC hours.
* ``models.SalesCustomerBlock`` and ``models.SalesProductBlock``: per block of the
  business's days (``reporting.blocks``: a month, or 1-16 aligned days of one) and
  customer or product, for the report's customer and product rows: a period per object
  is its whole months and at most five blocks at each end.

These are the sales report's definitions (``reports/sales.py``), computed by the same
expressions (``SOLD``, ``SOLD_REVENUE``, ``RETURNED_REVENUE`` below).

How it is kept exact
--------------------
* **In the transaction of the change.** The services add an order's contribution when
  they confirm it, take it away when they cancel it, and take the old one away and add
  the new one when closing changes what it sold; receiving a customer return adds the
  return's. Each is one statement, ``WITH c AS (contribution) INSERT ... SELECT ... FROM
  c ... ON CONFLICT DO UPDATE SET x = x + excluded.x`` into both grains: the contribution
  is computed from the documents by the database, and concurrent changes of one hour or
  day add up under the row's lock, never overwrite.
  Shipping, delivering and payments change no measure and touch nothing here.
* **Orders add up across hours and days** because an order is counted once, in its
  confirmation hour and day; a week's or month's ``orders`` is the sum of its days. (A
  distinct count per day would not add up; this one does.) Per product an order counts
  once for each product it has, which does not add up across its products: so a
  change's statement computes two contributions (``_sold``), per what an order has one
  of and per day and product, each summed into the grains where it adds up.
* **PostgreSQL only** (``summaries_kept``): on SQLite nothing is kept and reports read
  the documents.
* **History, databases from before summaries, a changed TIME_ZONE**: ``manage.py
  rebuild_report_summaries`` recomputes them month by month from the documents, each
  month in a transaction that first locks the table against writers (``SHARE ROW
  EXCLUSIVE``: a change waiting on it adds its contribution after the month is rebuilt,
  on top of documents that did not include it yet). Only then is the summary marked
  built (``models.SummaryBuild``, with the zone its days are in); until then reports
  read the documents, correctly and as slowly as before, and while the zone it records
  is not ``TIME_ZONE`` they read the hours.

Purchases are kept the same way per ``order_date`` (a day already, in no zone), at two
grains written by one statement: per date, warehouse, currency and supplier
(``models.PurchaseDay``) and per date alone (``models.PurchaseDate``, for unfiltered
month rows), and per block of dates and supplier or product (``PurchaseSupplierBlock``,
``PurchaseProductBlock``, for supplier and product rows): submitting an order adds it,
cancelling a submitted one takes it away, a receipt takes away what the order counted
and adds what it counts now (received quantity and value); closing and returning goods
to the supplier change no measure. The purchases report's month and supplier rows read
it unless filtered by product; its supplier and product rows read the blocks when
nothing but the object grouped narrows them.

Shipments that left (``models.FulfillmentDay``) are kept per day of the business's zone
when a shipment ships (nothing else changes a shipment that left), keyed as well by the
whole hours it waited (for ``on_time_hours``) and the day its order's previous shipment
left (for the distinct ``orders_shipped`` of any bucket); the fulfillment report reads
it in the business's zone.

When the sales report reads its summary (``reports/sales.py``): grouped by day, week or
month, filtered by nothing but ``warehouse`` and ``currency``, once it is built: the days when
the report's zone is the business's zone its days were built in, else the hours when
every bucket starts on a whole UTC hour (every zone with whole-hour offsets; India's
+05:30 or Nepal's +05:45 are read from the documents). Grouped by product or customer,
narrowed by nothing but that object, in the business's zone: the blocks. Otherwise the
documents.
"""

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Ceil, Least, Trunc
from django.utils import timezone

from stockyard.core.models import money_in
from stockyard.core.statements import Statement
from stockyard.core.time import business_zone
from stockyard.purchasing.enums import PurchaseOrderStatus
from stockyard.purchasing.models import PurchaseOrder, PurchaseOrderLine
from stockyard.reporting.blocks import SPANS, block_start_sql
from stockyard.reporting.enums import TimeBucket
from stockyard.reporting.models import (
    FulfillmentDay,
    PurchaseDate,
    PurchaseDay,
    PurchaseProductBlock,
    PurchaseSupplierBlock,
    SalesCustomerBlock,
    SalesDay,
    SalesHour,
    SalesProductBlock,
    SummaryBuild,
)
from stockyard.reporting.tables import bucket_start, next_bucket
from stockyard.sales.enums import ReturnStatus, SalesOrderStatus
from stockyard.sales.models import CustomerReturn, CustomerReturnLine, SalesOrder, SalesOrderLine
from stockyard.shipping.models import Shipment

SALES = "sales"

SOLD = F("quantity") - F("quantity_cancelled")
LINE_REVENUE = F("line_subtotal") - F("line_discount")
SOLD_REVENUE = Case(
    When(quantity_cancelled=0, then=LINE_REVENUE),
    default=money_in(LINE_REVENUE * SOLD / F("quantity"), currency="order__currency"),
    output_field=DecimalField(),
) * F("order__exchange_rate")  # in DEFAULT_CURRENCY; the table rounds to its minor unit
RETURNED_REVENUE = (F("refund_amount") - F("refund_tax")) * F(
    "sales_order_line__order__exchange_rate"
)
HOUR = 3600


def counted_lines() -> QuerySet[SalesOrderLine]:
    """Lines of the orders sales count: confirmed and not cancelled."""
    return SalesOrderLine.objects.filter(order__confirmed_at__isnull=False).exclude(
        order__status=SalesOrderStatus.CANCELLED
    )


def received_return_lines() -> QuerySet[CustomerReturnLine]:
    return CustomerReturnLine.objects.filter(customer_return__status=ReturnStatus.RECEIVED)


@dataclass(frozen=True)
class Grain:
    """A summary table and the columns that key its rows; a contribution names its
    columns ``s_<column>`` (``s_hour``, ``s_warehouse_id``, ``s_sold_quantity`` ...).
    A grain of ``blocks`` is keyed by ``start`` and ``span`` first: every block
    (``reporting.blocks``) of the contribution's day ``s_day``, then the other keys."""

    model: type[Model]
    keys: tuple[str, ...]
    blocks: bool = False

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def source(self, contribution: str) -> tuple[str, list[str]]:
        """What a grain's rows are summed from, given the contribution's name: the
        ``FROM`` clause and the expressions of the keys, in order."""
        own = [f"c.s_{key}" for key in self.keys]
        if not self.blocks:
            return f"{contribution} AS c", own
        starts = ", ".join(f"({block_start_sql('c.s_day', span)}, {span})" for span in SPANS)
        blocks = f"CROSS JOIN LATERAL (VALUES {starts}) AS b(start, span)"
        return f"{contribution} AS c {blocks}", ["b.start", "b.span", *own[2:]]


HOURS = Grain(SalesHour, ("hour", "warehouse_id", "currency"))
DAYS = Grain(SalesDay, ("day", "warehouse_id", "currency"))
CUSTOMER_BLOCKS = Grain(SalesCustomerBlock, ("start", "span", "customer_id"), blocks=True)
PRODUCT_BLOCKS = Grain(SalesProductBlock, ("start", "span", "product_id"), blocks=True)
ORDER_GRAINS = (DAYS, HOURS, CUSTOMER_BLOCKS)  # keyed by what the order has one of
SALES_GRAINS = (*ORDER_GRAINS, PRODUCT_BLOCKS)


PURCHASE_DAYS = Grain(PurchaseDay, ("day", "warehouse_id", "currency", "supplier_id"))
PURCHASE_DATES = Grain(PurchaseDate, ("day",))
SUPPLIER_BLOCKS = Grain(PurchaseSupplierBlock, ("start", "span", "supplier_id"), blocks=True)
PURCHASE_PRODUCT_BLOCKS = Grain(PurchaseProductBlock, ("start", "span", "product_id"), blocks=True)
PURCHASE_ORDER_GRAINS = (PURCHASE_DAYS, PURCHASE_DATES, SUPPLIER_BLOCKS)
PURCHASE_GRAINS = (*PURCHASE_ORDER_GRAINS, PURCHASE_PRODUCT_BLOCKS)

Contribution = tuple[QuerySet[Any, Any], Sequence[Grain]]
"""Rows of sums per key (columns named ``s_<column>``) and the grains they add to."""


def _in_business_days(field: str) -> Trunc:
    return Trunc(field, "day", output_field=DateField(), tzinfo=business_zone())


def _summed(
    rows: QuerySet[Any], keys: Mapping[str, Any], sums: Mapping[str, Any]
) -> QuerySet[Any, Any]:
    """``sums`` of ``rows`` per ``keys``: a contribution's rows."""
    return rows.values(**keys).annotate(**sums).order_by()


def _order_keys(moment: str, order: str) -> dict[str, Any]:
    """What an order has one of, reached by ``order``: the UTC hour and business day of
    ``moment``, the warehouse, currency and customer."""
    return {
        "s_hour": Trunc(moment, "hour", tzinfo=UTC),
        "s_day": _in_business_days(moment),
        "s_warehouse_id": F(f"{order}__warehouse"),
        "s_currency": F(f"{order}__currency"),
        "s_customer_id": F(f"{order}__customer"),
    }


SOLD_SUMS = {
    "s_confirmed_orders": Count("order", distinct=True),
    "s_sold_quantity": Sum(SOLD),
    "s_sold_revenue": Sum(SOLD_REVENUE),
}


def _sold(lines: QuerySet[SalesOrderLine]) -> list[Contribution]:
    """Per order key, and per business day and product: a distinct count of orders does
    not add up across an order's products, so the products' grain has its own rows
    (an order with three lines of a product counts once for it)."""
    moment = "order__confirmed_at"
    per_product = {"s_day": _in_business_days(moment), "s_product_id": F("product")}
    return [
        (_summed(lines, _order_keys(moment, "order"), SOLD_SUMS), ORDER_GRAINS),
        (_summed(lines, per_product, SOLD_SUMS), (PRODUCT_BLOCKS,)),
    ]


def _returned(lines: QuerySet[CustomerReturnLine]) -> list[Contribution]:
    """Per order key and product: plain sums, which add up in every grain."""
    keys = {
        **_order_keys("customer_return__received_at", "sales_order_line__order"),
        "s_product_id": F("sales_order_line__product"),
    }
    sums = {"s_returned_quantity": Sum("quantity"), "s_returned_revenue": Sum(RETURNED_REVENUE)}
    return [(_summed(lines, keys, sums), SALES_GRAINS)]


@dataclass(frozen=True)
class Part:
    """A contribution compiled to ``sql`` and ``params``, and the grains it adds to."""

    sql: str
    params: tuple[Any, ...]
    grains: tuple[Grain, ...]

    @classmethod
    def compiled(cls, contribution: Contribution) -> "Part":
        rows, grains = contribution
        sql, params = rows.query.sql_with_params()
        return cls(sql, tuple(params), tuple(grains))

    def with_param(self, placeholder: Any, value: Any) -> "Part":
        """The part with ``value`` for its one parameter ``placeholder``."""
        index = self.params.index(placeholder)
        params = (*self.params[:index], value, *self.params[index + 1 :])
        return Part(self.sql, params, self.grains)


def add_to_summaries(
    contributions: Sequence[Contribution], measures: Sequence[str], sign: int = 1
) -> None:
    """Add ``sign`` x the rows of each contribution to each of its grains, in one
    statement: each contribution is computed once and summed per grain key."""
    _add_compiled([Part.compiled(contribution) for contribution in contributions], measures, sign)


def _add_compiled(parts: Sequence[Part], measures: Sequence[str], sign: int) -> None:
    """``add_to_summaries`` of contributions already compiled; nothing where the
    summaries are not kept (``summaries_kept``)."""
    _execute(_adding(parts, measures, sign))


def _adding(parts: Sequence[Part], measures: Sequence[str], sign: int) -> Statement | None:
    """The one statement adding ``sign`` x ``parts`` (compiled contributions) to their
    grains' ``measures``, or ``None`` where the summaries are not kept."""
    if not summaries_kept():
        return None
    columns = ", ".join(measures)
    summed = ", ".join(f"{sign:d} * SUM(c.s_{name})" for name in measures)
    added = ", ".join(f"{name} = s.{name} + excluded.{name}" for name in measures)
    inserts = []
    for index, part in enumerate(parts):
        for grain in part.grains:
            source, selected = grain.source(f"c{index}")
            keys = ", ".join(grain.keys)
            positions = ", ".join(str(position) for position in range(1, len(grain.keys) + 1))
            inserts.append(
                f"INSERT INTO {grain.table} AS s ({keys}, {columns}) "
                f"SELECT {', '.join(selected)}, {summed} FROM {source} "
                f"GROUP BY {positions} "
                f"ORDER BY {positions} "  # rows locked in one order: no deadlock between writers
                f"ON CONFLICT ({keys}) DO UPDATE SET {added}"
            )
    *others, main = inserts
    withs = [f"c{index} AS ({part.sql})" for index, part in enumerate(parts)]
    withs += [f"g{index} AS ({insert})" for index, insert in enumerate(others)]
    return f"WITH {', '.join(withs)} {main}", [param for part in parts for param in part.params]


def _execute(statement: Statement | None) -> None:
    if statement is not None:
        with connection.cursor() as cursor:
            cursor.execute(*statement)


SOLD_MEASURES = ("confirmed_orders", "sold_quantity", "sold_revenue")
RETURNED_MEASURES = ("returned_quantity", "returned_revenue")


_ANY_ORDER = -2_147_483_647
"""An id no order has, standing for the order in ``_order_sold``'s compiled SQL."""


@functools.cache
def _order_sold(zone: tzinfo) -> tuple[Part, ...]:
    """What one order sold (``_sold`` of its lines), with business days in ``zone``,
    compiled once per process and zone, since only the order's id changes between orders
    (``_ANY_ORDER`` stands for it). Building and compiling the query was ~10 % of the CPU
    of placing an order."""
    parts = tuple(map(Part.compiled, _sold(counted_lines().filter(order_id=_ANY_ORDER))))
    if any(part.params.count(_ANY_ORDER) != 1 for part in parts):
        raise RuntimeError("The order's id must be each compiled query's one unique parameter")
    return parts


def sales_order_counted(order: SalesOrder, *, sign: int = 1) -> None:
    """Add (``sign=1``) or take away (``-1``) what ``order`` counts in sales as it stands
    in the database now. Services call it after confirming, before cancelling, and
    around what closing changes; nothing for an order sales do not count."""
    _execute(sales_order_counting(order, sign=sign))


def sales_order_counting(order: SalesOrder, *, sign: int = 1) -> Statement | None:
    """``sales_order_counted`` as a statement to send with others in one round trip
    (``core.statements.execute_together``), after the statements that write the order as
    it is to count; ``None`` where the summaries are not kept (``summaries_kept``)."""
    parts = [part.with_param(_ANY_ORDER, order.pk) for part in _order_sold(business_zone())]
    return _adding(parts, SOLD_MEASURES, sign)


def customer_return_counted(customer_return: CustomerReturn) -> None:
    """Add a return that has just been received."""
    lines = received_return_lines().filter(customer_return=customer_return)
    add_to_summaries(_returned(lines), RETURNED_MEASURES)


PURCHASES = "purchases"
PURCHASES_NOT_COUNTED = (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CANCELLED)
SPEND = F("line_total") * F("order__exchange_rate")  # in DEFAULT_CURRENCY, unrounded
RECEIVED_VALUE = money_in(F("quantity_received") * F("unit_cost"), currency="order__currency") * F(
    "order__exchange_rate"
)
PURCHASE_MEASURES = (
    "submitted_orders",
    "ordered_quantity",
    "ordered_spend",
    "received_quantity",
    "received_amount",
)


def counted_purchase_lines() -> QuerySet[PurchaseOrderLine]:
    """Lines of the orders purchases count: submitted and not cancelled."""
    return PurchaseOrderLine.objects.exclude(order__status__in=PURCHASES_NOT_COUNTED)


BOUGHT_SUMS = {
    "s_submitted_orders": Count("order", distinct=True),
    "s_ordered_quantity": Sum("quantity"),
    "s_ordered_spend": Sum(SPEND),
    "s_received_quantity": Sum("quantity_received"),
    "s_received_amount": Sum(RECEIVED_VALUE),
}


def _bought(lines: QuerySet[PurchaseOrderLine]) -> list[Contribution]:
    """Per date, warehouse, currency and supplier (what an order has one of), and per
    date and product (an order counts once for each of its products)."""
    per_order = {
        "s_day": F("order__order_date"),
        "s_warehouse_id": F("order__warehouse"),
        "s_currency": F("order__currency"),
        "s_supplier_id": F("order__supplier"),
    }
    per_product = {"s_day": F("order__order_date"), "s_product_id": F("product")}
    return [
        (_summed(lines, per_order, BOUGHT_SUMS), PURCHASE_ORDER_GRAINS),
        (_summed(lines, per_product, BOUGHT_SUMS), (PURCHASE_PRODUCT_BLOCKS,)),
    ]


def purchase_order_counted(order: PurchaseOrder, *, sign: int = 1) -> None:
    """Add (``sign=1``) or take away (``-1``) what ``order`` counts in purchases as it
    stands in the database now. Services call it after submitting, before cancelling a
    submitted order, and around what a receipt changes."""
    lines = counted_purchase_lines().filter(order=order)
    add_to_summaries(_bought(lines), PURCHASE_MEASURES, sign)


FULFILLMENT = "fulfillment"
NEVER_ON_TIME = 24 * 365 + 1  # waited longer than the largest on_time_hours
FULFILLMENT_DAYS = Grain(FulfillmentDay, ("day", "previous_day", "waited_hours"))
FULFILLMENT_MEASURES = ("shipped", "waited_seconds")


class _Seconds(Func):
    """A duration in seconds: on PostgreSQL ``EXTRACT(EPOCH FROM interval)``, exact
    (``numeric`` to the microsecond); on SQLite Django keeps a duration as integer
    microseconds."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = DecimalField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        return self.as_sql(compiler, connection, template="(%(expressions)s / 1000000.0)", **extra)


def seconds_to_ship() -> Func:
    """A shipment's time from its order's confirmation to leaving, in seconds."""
    return _Seconds(F("shipped_at") - F("sales_order__confirmed_at"))


def _previous_shipment() -> Subquery:
    """When the order's shipment before this one left: the latest that left earlier (or
    at the same instant with a lower id), else null."""
    earlier = Q(shipped_at__lt=OuterRef("shipped_at")) | Q(
        shipped_at=OuterRef("shipped_at"), pk__lt=OuterRef("pk")
    )
    before = Shipment.objects.filter(earlier, sales_order=OuterRef("sales_order"))
    return Subquery(before.order_by("-shipped_at", "-pk").values("shipped_at")[:1])


def _left(shipments: QuerySet[Shipment]) -> list[Contribution]:
    waited = Least(Ceil(seconds_to_ship() / Value(HOUR)), Value(NEVER_ON_TIME))
    keys = {
        "s_day": _in_business_days("shipped_at"),
        "s_previous_day": Trunc(
            _previous_shipment(), "day", output_field=DateField(), tzinfo=business_zone()
        ),
        "s_waited_hours": Cast(waited, IntegerField()),
    }
    sums = {"s_shipped": Count("id"), "s_waited_seconds": Sum(seconds_to_ship())}
    return [(_summed(shipments, keys, sums), (FULFILLMENT_DAYS,))]


def shipment_counted(shipment: Shipment) -> None:
    """Add a shipment that has just left."""
    add_to_summaries(_left(Shipment.objects.filter(pk=shipment.pk)), FULFILLMENT_MEASURES)


# --- rebuilding ------------------------------------------------------------------------


def months(first: date, last: date) -> Iterator[tuple[date, date]]:
    """``[first day, first day of the next month)`` of every month from ``first``'s to
    ``last``'s."""
    start = first.replace(day=1)
    while start <= last:
        end = (start + timedelta(days=32)).replace(day=1)
        yield start, end
        start = end


def _history_start() -> datetime | None:
    """The first confirmation or receipt of a return, if any."""
    starts = (
        SalesOrder.objects.aggregate(first=Min("confirmed_at"))["first"],
        CustomerReturn.objects.aggregate(first=Min("received_at"))["first"],
    )
    return min((start for start in starts if start is not None), default=None)


@transaction.atomic
def rebuild_range(grain: Grain, start: Any, end: Any, refill: Callable[[], None]) -> None:
    """Rows of ``grain`` keyed in ``[start, end)`` deleted and ``refill``ed, with writers
    held off the table until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {grain.table} IN SHARE ROW EXCLUSIVE MODE")
    grain.model._default_manager.filter(
        **{f"{grain.keys[0]}__gte": start, f"{grain.keys[0]}__lt": end}
    ).delete()
    refill()


def _only(grain: Grain, contributions: Sequence[Contribution]) -> list[Contribution]:
    """The contributions to ``grain``, to it alone."""
    return [(rows, (grain,)) for rows, grains in contributions if grain in grains]


def _refill_sales(grain: Grain, start: datetime, end: datetime) -> None:
    sold = counted_lines().filter(order__confirmed_at__gte=start, order__confirmed_at__lt=end)
    add_to_summaries(_only(grain, _sold(sold)), SOLD_MEASURES)
    returned = received_return_lines().filter(
        customer_return__received_at__gte=start, customer_return__received_at__lt=end
    )
    add_to_summaries(_only(grain, _returned(returned)), RETURNED_MEASURES)


def rebuild_purchases_summary() -> int:
    """Recompute the purchases summary from the documents, one month of order dates per
    transaction (from the first order's to the last's: dates may lie ahead), then mark it
    built; returns how many months were rebuilt."""
    dates = PurchaseOrder.objects.aggregate(first=Min("order_date"), last=Max("order_date"))
    rebuilt = 0
    if dates["first"] is not None:
        for start, end in months(dates["first"], dates["last"]):
            for grain in PURCHASE_GRAINS:
                rebuild_range(grain, start, end, partial(_refill_purchases, grain, start, end))
            rebuilt += 1
    mark_built(PURCHASES)
    return rebuilt


def _refill_purchases(grain: Grain, start: date, end: date) -> None:
    lines = counted_purchase_lines().filter(order__order_date__gte=start, order__order_date__lt=end)
    add_to_summaries(_only(grain, _bought(lines)), PURCHASE_MEASURES)


def rebuild_fulfillment_summary() -> int:
    """Recompute the fulfillment summary from the shipments, one month of the business's
    days per transaction, then mark it built in ``TIME_ZONE``; returns how many months
    were rebuilt."""
    first = Shipment.objects.aggregate(first=Min("shipped_at"))["first"]
    rebuilt = 0
    if first is not None:
        zone = business_zone()
        for start, end in months(first.astimezone(zone).date(), timezone.localdate(timezone=zone)):
            since, until = (datetime.combine(day, time.min, tzinfo=zone) for day in (start, end))
            rebuild_range(FULFILLMENT_DAYS, start, end, partial(_refill_fulfillment, since, until))
            rebuilt += 1
    mark_built(FULFILLMENT)
    return rebuilt


def _refill_fulfillment(since: datetime, until: datetime) -> None:
    shipments = Shipment.objects.filter(shipped_at__gte=since, shipped_at__lt=until)
    add_to_summaries(_left(shipments), FULFILLMENT_MEASURES)


def summaries_kept() -> bool:
    """Whether this database keeps the summaries: PostgreSQL only. Their statements need
    what SQLite lacks (an ``INSERT`` inside a ``WITH``, unique keys whose nulls are not
    distinct); on SQLite (``make run``'s embedded default) nothing is written or marked
    built, so every report reads the documents."""
    return connection.vendor == "postgresql"


def mark_built(name: str) -> None:
    SummaryBuild.objects.update_or_create(
        name=name, defaults={"built_at": timezone.now(), "zone": settings.TIME_ZONE}
    )


def rebuild_sales_summary() -> int:
    """Recompute both grains of the sales summary from the documents, one month per
    transaction (UTC months of hours, then the business's months of days), then mark it
    built in ``TIME_ZONE``; returns how many months were rebuilt. Idempotent; safe while
    orders are being changed (module docstring)."""
    first = _history_start()
    rebuilt = 0
    if first is not None:
        now, zone = timezone.now(), business_zone()
        for start, end in months(first.astimezone(UTC).date(), now.astimezone(UTC).date()):
            first_hour, end_hour = (
                datetime.combine(day, time.min, tzinfo=UTC) for day in (start, end)
            )
            rebuild_range(
                HOURS, first_hour, end_hour, partial(_refill_sales, HOURS, first_hour, end_hour)
            )
            rebuilt += 1
        for start, end in months(first.astimezone(zone).date(), now.astimezone(zone).date()):
            since, until = (datetime.combine(day, time.min, tzinfo=zone) for day in (start, end))
            for grain in (DAYS, CUSTOMER_BLOCKS, PRODUCT_BLOCKS):  # all in business days
                rebuild_range(grain, start, end, partial(_refill_sales, grain, since, until))
    mark_built(SALES)
    return rebuilt


# --- reading ---------------------------------------------------------------------------


def built_zone(name: str) -> str | None:
    """The zone the summary ``name`` was last built in (``""``: built before it had
    days), or ``None`` if it has not been built: then reports read the documents."""
    return SummaryBuild.objects.filter(name=name).values_list("zone", flat=True).first()


def days_answer(built: str | None, zone: str) -> bool:
    """Whether a summary built in ``built`` answers days of ``zone``: the business's zone
    its days were built in (the zone the services write them in since)."""
    return built == zone == settings.TIME_ZONE


def buckets_start_on_utc_hours(
    date_from: date, date_to: date, bucket: TimeBucket, zone: tzinfo
) -> bool:
    """Whether every bucket of the period, and the period's end, starts on a whole UTC
    hour in ``zone``: then each summary hour lies in one bucket."""
    starts = [date_from, date_to + timedelta(days=1)]
    start = next_bucket(bucket_start(date_from, bucket), bucket)
    while start <= date_to:
        starts.append(start)
        start = next_bucket(start, bucket)
    for day in starts:
        offset = datetime.combine(day, time.min, tzinfo=zone).utcoffset() or timedelta()
        if offset.total_seconds() % HOUR:
            return False
    return True
