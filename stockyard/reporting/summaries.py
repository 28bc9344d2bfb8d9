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
  distinct count per day would not add up; this one does.)
* **History, databases from before summaries, a changed TIME_ZONE**: ``manage.py
  rebuild_report_summaries`` recomputes them month by month from the documents, each
  month in a transaction that first locks the table against writers (``SHARE ROW
  EXCLUSIVE``: a change waiting on it adds its contribution after the month is rebuilt,
  on top of documents that did not include it yet). Only then is the summary marked
  built (``models.SummaryBuild``, with the zone its days are in); until then reports
  read the documents, correctly and as slowly as before, and while the zone it records
  is not ``TIME_ZONE`` they read the hours.

When the report reads it (``reports/sales.py``): grouped by day, week or month, filtered
by nothing but ``warehouse`` and ``currency``, once the summary is built: the days when
the report's zone is the business's zone its days were built in, else the hours when
every bucket starts on a whole UTC hour (every zone with whole-hour offsets; India's
+05:30 or Nepal's +05:45 are read from the documents). Otherwise the documents.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    F,
    Min,
    Model,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import Trunc
from django.utils import timezone

from stockyard.core.models import money_in
from stockyard.core.time import business_zone
from stockyard.reporting.enums import TimeBucket
from stockyard.reporting.models import SalesDay, SalesHour, SummaryBuild
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


@dataclass(frozen=True)
class Grain:
    """A summary table and the columns that key its rows; a contribution names its
    columns ``s_<column>`` (``s_hour``, ``s_warehouse_id``, ``s_sold_quantity`` ...)."""

    model: type[Model]
    keys: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.model._meta.db_table


HOURS = Grain(SalesHour, ("hour", "warehouse_id", "currency"))
DAYS = Grain(SalesDay, ("day", "warehouse_id", "currency"))
SALES_GRAINS = (DAYS, HOURS)


def _in_business_days(field: str) -> Trunc:
    return Trunc(field, "day", output_field=DateField(), tzinfo=business_zone())


def _sold(lines: QuerySet[SalesOrderLine]) -> QuerySet[Any, Any]:
    """Per (hour, business day, warehouse, currency): columns named as the grains'."""
    return (
        lines.values(
            s_hour=Trunc("order__confirmed_at", "hour", tzinfo=UTC),
            s_day=_in_business_days("order__confirmed_at"),
            s_warehouse_id=F("order__warehouse"),
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
            s_day=_in_business_days("customer_return__received_at"),
            s_warehouse_id=F("sales_order_line__order__warehouse"),
            s_currency=F("sales_order_line__order__currency"),
        )
        .annotate(s_returned_quantity=Sum("quantity"), s_returned_revenue=Sum(RETURNED_REVENUE))
        .order_by()
    )


def add_to_summaries(
    contribution: QuerySet[Any, Any],
    grains: Sequence[Grain],
    measures: Sequence[str],
    sign: int = 1,
) -> None:
    """Add ``sign`` x the rows of ``contribution`` to every grain, in one statement: the
    contribution is computed once and summed per grain key."""
    sql, params = contribution.query.sql_with_params()
    columns = ", ".join(measures)
    summed = ", ".join(f"{sign:d} * SUM(c.s_{name})" for name in measures)
    added = ", ".join(f"{name} = s.{name} + excluded.{name}" for name in measures)
    inserts = []
    for grain in grains:
        keys = ", ".join(grain.keys)
        positions = ", ".join(str(position) for position in range(1, len(grain.keys) + 1))
        inserts.append(
            f"INSERT INTO {grain.table} AS s ({keys}, {columns}) "
            f"SELECT {', '.join(f'c.s_{key}' for key in grain.keys)}, {summed} FROM c "
            f"GROUP BY {positions} "
            f"ORDER BY {positions} "  # rows locked in one order: no deadlock between writers
            f"ON CONFLICT ({keys}) DO UPDATE SET {added}"
        )
    *others, main = inserts
    with_others = "".join(f", g{index} AS ({insert})" for index, insert in enumerate(others))
    with connection.cursor() as cursor:
        cursor.execute(f"WITH c AS ({sql}){with_others} {main}", params)


SOLD_MEASURES = ("confirmed_orders", "sold_quantity", "sold_revenue")
RETURNED_MEASURES = ("returned_quantity", "returned_revenue")


def sales_order_counted(order: SalesOrder, *, sign: int = 1) -> None:
    """Add (``sign=1``) or take away (``-1``) what ``order`` counts in sales as it stands
    in the database now. Services call it after confirming, before cancelling, and
    around what closing changes; nothing for an order sales do not count."""
    add_to_summaries(_sold(counted_lines().filter(order=order)), SALES_GRAINS, SOLD_MEASURES, sign)


def customer_return_counted(customer_return: CustomerReturn) -> None:
    """Add a return that has just been received."""
    lines = received_return_lines().filter(customer_return=customer_return)
    add_to_summaries(_returned(lines), SALES_GRAINS, RETURNED_MEASURES)


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


def _refill_sales(grain: Grain, start: datetime, end: datetime) -> Callable[[], None]:
    def refill() -> None:
        sold = counted_lines().filter(order__confirmed_at__gte=start, order__confirmed_at__lt=end)
        add_to_summaries(_sold(sold), (grain,), SOLD_MEASURES)
        returned = received_return_lines().filter(
            customer_return__received_at__gte=start, customer_return__received_at__lt=end
        )
        add_to_summaries(_returned(returned), (grain,), RETURNED_MEASURES)

    return refill


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
            rebuild_range(HOURS, first_hour, end_hour, _refill_sales(HOURS, first_hour, end_hour))
            rebuilt += 1
        for start, end in months(first.astimezone(zone).date(), now.astimezone(zone).date()):
            since, until = (datetime.combine(day, time.min, tzinfo=zone) for day in (start, end))
            rebuild_range(DAYS, start, end, _refill_sales(DAYS, since, until))
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
