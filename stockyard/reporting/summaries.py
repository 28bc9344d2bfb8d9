"""Pre-aggregated sales: hourly sums the sales report's time rows read instead of the
order lines, so a year by day costs what the year's hours cost, not its orders.

What a summary row holds (``models.SalesHour``): per UTC hour, warehouse and order
currency, the orders confirmed in that hour and not cancelled — their count, the
quantity sold and the revenue (less tax, in DEFAULT_CURRENCY at each order's rate; a
closed order counts what it shipped) — and the customer returns received in that hour
(quantity and refund less tax). These are the sales report's definitions
(``reports/sales.py``), computed by the same expressions (``SOLD``, ``SOLD_REVENUE``,
``RETURNED_REVENUE`` below).

How it is kept exact
--------------------
* **In the transaction of the change.** The services add an order's contribution when
  they confirm it, take it away when they cancel it, and take the old one away and add
  the new one when closing changes what it sold; receiving a customer return adds the
  return's. Each is one ``INSERT ... SELECT ... ON CONFLICT DO UPDATE SET x = x +
  excluded.x``: the contribution is computed from the documents by the database, and
  concurrent changes of one hour add up under the row's lock, never overwrite.
  Shipping, delivering and payments change no measure and touch nothing here.
* **Orders add up across hours** because an order is counted once, in its confirmation
  hour; a day's, week's or month's ``orders`` is the sum of its hours. (A distinct
  count per hour would not add up; this one does, in any zone whose day starts on a UTC
  hour.)
* **History, and databases from before summaries**: ``manage.py
  rebuild_report_summaries`` recomputes them month by month from the documents, each
  month in a transaction that first locks the table against writers (``SHARE ROW
  EXCLUSIVE``: a change waiting on it adds its contribution after the month is rebuilt,
  on top of documents that did not include it yet). Only then is the summary marked
  built (``models.SummaryBuild``); until then reports read the documents, correctly and
  as slowly as before.

When the report reads it (``reports/sales.py``): grouped by day, week or month, filtered
by nothing but ``warehouse`` and ``currency``, in a zone where every bucket starts on a
whole UTC hour (every zone with whole-hour offsets; India's +05:30 or Nepal's +05:45 are
read from the documents), once the summary is built. Otherwise the documents.
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Count, DecimalField, F, Min, QuerySet, Sum, When
from django.db.models.functions import Trunc
from django.utils import timezone

from stockyard.core.models import money_in
from stockyard.reporting.enums import TimeBucket
from stockyard.reporting.models import SalesHour, SummaryBuild
from stockyard.reporting.tables import bucket_start, next_bucket
from stockyard.sales.enums import ReturnStatus, SalesOrderStatus
from stockyard.sales.models import CustomerReturn, CustomerReturnLine, SalesOrder, SalesOrderLine

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


def _sold(lines: QuerySet[SalesOrderLine]) -> QuerySet[Any, Any]:
    """Per (hour, warehouse, currency): columns named as ``SalesHour``'s."""
    return (
        lines.values(
            s_hour=Trunc("order__confirmed_at", "hour", tzinfo=UTC),
            s_warehouse=F("order__warehouse"),
            s_currency=F("order__currency"),
        )
        .annotate(
            s_confirmed_orders=Count("order", distinct=True),
            s_sold_quantity=Sum(SOLD),
            s_sold_revenue=Sum(SOLD_REVENUE),
        )
        .order_by()
    )


def _returned(lines: QuerySet[CustomerReturnLine]) -> QuerySet[Any, Any]:
    return (
        lines.values(
            s_hour=Trunc("customer_return__received_at", "hour", tzinfo=UTC),
            s_warehouse=F("sales_order_line__order__warehouse"),
            s_currency=F("sales_order_line__order__currency"),
        )
        .annotate(s_returned_quantity=Sum("quantity"), s_returned_revenue=Sum(RETURNED_REVENUE))
        .order_by()
    )


def _add(contribution: QuerySet[Any, Any], measures: Sequence[str], sign: int) -> None:
    """Add ``sign`` x the rows of ``contribution`` to the summary, in one statement."""
    sql, params = contribution.query.sql_with_params()
    columns = ", ".join(measures)
    signed = ", ".join(f"{sign:d} * c.s_{name}" for name in measures)
    added = ", ".join(f"{name} = s.{name} + excluded.{name}" for name in measures)
    table = SalesHour._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS s (hour, warehouse_id, currency, {columns}) "
            f"SELECT c.s_hour, c.s_warehouse, c.s_currency, {signed} FROM ({sql}) c "
            f"ORDER BY 1, 2, 3 "  # rows locked in one order: no deadlock between writers
            f"ON CONFLICT (hour, warehouse_id, currency) DO UPDATE SET {added}",
            params,
        )


SOLD_MEASURES = ("confirmed_orders", "sold_quantity", "sold_revenue")
RETURNED_MEASURES = ("returned_quantity", "returned_revenue")


def sales_order_counted(order: SalesOrder, *, sign: int = 1) -> None:
    """Add (``sign=1``) or take away (``-1``) what ``order`` counts in sales as it stands
    in the database now. Services call it after confirming, before cancelling, and
    around what closing changes; nothing for an order sales do not count."""
    _add(_sold(counted_lines().filter(order=order)), SOLD_MEASURES, sign)


def customer_return_counted(customer_return: CustomerReturn) -> None:
    """Add a return that has just been received."""
    lines = received_return_lines().filter(customer_return=customer_return)
    _add(_returned(lines), RETURNED_MEASURES, 1)


# --- rebuilding ------------------------------------------------------------------------


def _months(first: datetime, last: datetime) -> Iterator[tuple[datetime, datetime]]:
    start = datetime(first.year, first.month, 1, tzinfo=UTC)
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


def rebuild_sales_summary() -> int:
    """Recompute the sales summary from the documents, one UTC month per transaction,
    then mark it built; returns how many months were rebuilt. Idempotent; safe while
    orders are being changed (module docstring)."""
    first = _history_start()
    months = 0
    if first is not None:
        for start, end in _months(first, timezone.now()):
            _rebuild_month(start, end)
            months += 1
    SummaryBuild.objects.update_or_create(name=SALES, defaults={"built_at": timezone.now()})
    return months


@transaction.atomic
def _rebuild_month(start: datetime, end: datetime) -> None:
    table = SalesHour._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
    SalesHour.objects.filter(hour__gte=start, hour__lt=end).delete()
    sold = counted_lines().filter(order__confirmed_at__gte=start, order__confirmed_at__lt=end)
    _add(_sold(sold), SOLD_MEASURES, 1)
    returned = received_return_lines().filter(
        customer_return__received_at__gte=start, customer_return__received_at__lt=end
    )
    _add(_returned(returned), RETURNED_MEASURES, 1)


# --- reading ---------------------------------------------------------------------------


def sales_summary_built() -> bool:
    return SummaryBuild.objects.filter(name=SALES).exists()


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
