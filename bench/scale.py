"""Scale benchmark: what people open every day, at the same business in three sizes.

``build`` makes a business of two years of trading in its own database, written with
set-based SQL (``INSERT ... SELECT generate_series``) in minutes rather than hours, with
every invariant of the services holding:

* each stock level's ``on_hand`` is the sum of its ledger (an opening adjustment per
  level tops the receipts and shipments up to a chosen balance), and
  ``manage.py check_stock_ledger`` says so;
* ``reserved`` is what confirmed orders have not shipped yet, and what is kept on order
  what the open purchase orders have outstanding (``recount_on_order`` counts it);
* line amounts follow the pricing formulas and order amounts are the sums of their lines;
* numbers are made from ids, and the id sequences continue after the data.

| size | products x warehouses | movements | sales orders (lines) | shipments | POs | events |
|---|---|---|---|---|---|---|
| large | 5,000 x 10 | 1.1 M | 200,000 (600k) | 190,000 | 40,000 | 1.7 M |
| medium | 500 x 10 | 110k | 20,000 (60k) | 19,000 | 4,000 | 170k |
| small | 50 x 10 | 11k | 2,000 (6k) | 1,900 | 400 | 17k |

A size's database (``sy_scale_<size>`` unless ``--database-prefix`` says otherwise) is
kept between runs: ``measure`` builds only what is missing, ``build --rebuild`` starts over.

``measure`` starts the API as production runs it (uvicorn, one worker, DEBUG off) on each
size in turn and sends sequential requests: every list endpoint (first, middle and last
page where pages go deep), every report (the period reports over a year, the ledger over
a month, the snapshots), the file exports, and a write (create + confirm an order). It
prints one table: operation x size, p50 in ms, the server's CPU ms per request, the
growth factor of the largest size over the smallest, and per export the server's peak
RSS while it was made; then the first byte of the ledger month as CSV, and the RSS of the
worker after one and after ten inventory valuations.

    python3 -m uv run python bench/scale.py build --size large      # once: ~10 min here
    python3 -m uv run python bench/scale.py measure --sizes small,large

Loopback only; every request has a timeout.
"""

import argparse
import math
import os
import re
import statistics
import subprocess
import sys
import time as clock
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file: find bench
from bench import harness

SIZES = {"small": 0.01, "medium": 0.1, "large": 1.0}
WAREHOUSES = 10
HISTORY_DAYS = 730
USERNAME = "bench-scale"


@dataclass(frozen=True)
class Shape:
    """How much of everything a business of ``scale`` (large = 1) has."""

    scale: float

    def count(self, large: int, least: int = 1) -> int:
        return max(least, round(large * self.scale))

    @property
    def products(self) -> int:
        return self.count(5_000, 10)

    @property
    def customers(self) -> int:
        return self.count(2_000, 10)

    @property
    def suppliers(self) -> int:
        return self.count(100, 3)

    @property
    def purchase_orders(self) -> int:
        return self.count(40_000)

    @property
    def sales_orders(self) -> int:
        return self.count(200_000)

    @property
    def movements(self) -> int:
        return self.count(1_100_000)

    @property
    def events(self) -> int:
        return self.count(1_700_000)


# --- building a business ------------------------------------------------------------------

# Every statement reads its sizes from psql-like named parameters; ``start`` is the first
# instant of the history, ``span`` its length. Order i of n happens at start + span*i/n.
BUILD = [
    # reference data
    """INSERT INTO catalog_category (id, created_at, updated_at, name, parent_id)
       SELECT i, %(start)s, %(start)s, 'Category ' || i, NULL FROM generate_series(1, 20) i""",
    """INSERT INTO partners_supplier (id, created_at, updated_at, code, name, email, phone,
         tax_id, currency, is_active, address, bank_account, lead_time_days)
       SELECT i, %(start)s, %(start)s, 'SUP-' || lpad(i::text, 5, '0'), 'Supplier ' || i,
              '', '', '', 'USD', true, '', '', 7
       FROM generate_series(1, %(suppliers)s) i""",
    """INSERT INTO partners_customer (id, created_at, updated_at, code, name, email, phone,
         tax_id, currency, is_active, billing_address, shipping_address, credit_limit)
       SELECT i, %(start)s, %(start)s, 'CUS-' || lpad(i::text, 6, '0'), 'Customer ' || i,
              '', '', '', 'USD', true, '', '', NULL
       FROM generate_series(1, %(customers)s) i""",
    """INSERT INTO inventory_warehouse (id, created_at, updated_at, code, name, address,
         is_active)
       SELECT i, %(start)s, %(start)s, 'WH' || lpad(i::text, 2, '0'), 'Warehouse ' || i, '',
              true
       FROM generate_series(1, %(warehouses)s) i""",
    """INSERT INTO catalog_product (id, created_at, updated_at, sku, name, description, unit,
         barcode, price, cost, currency, reorder_point, reorder_quantity, lead_time_days,
         is_active, category_id, supplier_id)
       SELECT i, %(start)s, %(start)s, 'SKU-' || lpad(i::text, 6, '0'), 'Product ' || i, '',
              'pcs', '', 10 + i %% 90, (10 + i %% 90) * 0.6, 'USD', 20, 50, 7, true,
              1 + i %% 20, 1 + i %% %(suppliers)s
       FROM generate_series(1, %(products)s) i""",
    # purchase orders: 1%% cancelled, the last 4%% still open, the rest received
    """INSERT INTO purchasing_purchaseorder (id, created_at, updated_at, number, status,
         currency, order_date, expected_date, notes, subtotal, tax_total, total,
         created_by_id, supplier_id, warehouse_id)
       SELECT i, at, at, 'PO-' || lpad(i::text, 6, '0'),
              CASE WHEN i %% 100 = 0 THEN 'cancelled'
                   WHEN i > %(purchase_orders)s * 0.96 THEN
                     (ARRAY['draft', 'submitted', 'partially_received'])[1 + i %% 3]
                   ELSE 'received' END,
              'USD', at::date, at::date + 7, '', 0, 0, 0, NULL,
              1 + i %% %(suppliers)s, 1 + i %% %(warehouses)s
       FROM generate_series(1, %(purchase_orders)s) i,
            LATERAL (SELECT %(start)s + %(span)s * i / %(purchase_orders)s AS at) t""",
    """INSERT INTO purchasing_purchaseorderline (id, quantity, quantity_received, unit_cost,
         tax_rate, line_subtotal, line_tax, line_total, order_id, product_id)
       SELECT (o.id - 1) * 3 + k, q,
              CASE o.status WHEN 'received' THEN q WHEN 'partially_received' THEN q / 2
                            ELSE 0 END,
              p.cost, 0, q * p.cost, 0, q * p.cost, o.id, p.id
       FROM purchasing_purchaseorder o CROSS JOIN generate_series(1, 3) k
            CROSS JOIN LATERAL (SELECT 10 + (o.id * 7 + k) %% 50 AS q) qq
            JOIN catalog_product p
              ON p.id = 1 + (o.id * 3 + k * %(products)s / 3) %% %(products)s""",
    """UPDATE purchasing_purchaseorder o SET subtotal = s, total = s
       FROM (SELECT order_id, sum(line_total) s FROM purchasing_purchaseorderline
             GROUP BY order_id) l WHERE l.order_id = o.id""",
    """INSERT INTO inventory_stockmovement (quantity, kind, reference_type, reference_id,
         unit_cost, created_at, reason, note, created_by_id, product_id, warehouse_id)
       SELECT l.quantity_received, 'receipt', 'purchase_order', o.id, l.unit_cost,
              least(o.created_at + interval '3 days', %(end)s), '', '', NULL, l.product_id,
              o.warehouse_id
       FROM purchasing_purchaseorderline l JOIN purchasing_purchaseorder o ON o.id = l.order_id
       WHERE l.quantity_received > 0 ORDER BY 6, o.id""",
    # sales orders: 2%% cancelled drafts, the last 2.5%% confirmed and waiting, the rest
    # shipped in one shipment (delivered after a week)
    """INSERT INTO sales_salesorder (id, created_at, updated_at, number, status, currency,
         order_date, shipping_address, notes, subtotal, discount_total, tax_total, total,
         confirmed_at, created_by_id, customer_id, warehouse_id)
       SELECT i, at, at, 'SO-' || lpad(i::text, 6, '0'),
              CASE WHEN i %% 50 = 0 THEN 'cancelled'
                   WHEN i > %(sales_orders)s * 0.975 THEN 'confirmed'
                   WHEN at < %(end)s - interval '10 days' THEN 'delivered'
                   ELSE 'shipped' END,
              'USD', at::date, '', '', 0, 0, 0, 0,
              CASE WHEN i %% 50 = 0 THEN NULL ELSE at END,
              NULL, 1 + i %% %(customers)s, 1 + i %% %(warehouses)s
       FROM generate_series(1, %(sales_orders)s) i,
            LATERAL (SELECT %(start)s + %(span)s * i / %(sales_orders)s AS at) t""",
    """INSERT INTO sales_salesorderline (id, quantity, quantity_shipped, unit_price,
         discount_percent, tax_rate, line_subtotal, line_discount, line_tax, line_total,
         order_id, product_id)
       SELECT (o.id - 1) * 3 + k, q,
              CASE WHEN o.status IN ('shipped', 'delivered') THEN q ELSE 0 END,
              p.price, 0, 10, q * p.price, 0, round(q * p.price * 0.1, 2),
              q * p.price + round(q * p.price * 0.1, 2), o.id, p.id
       FROM sales_salesorder o CROSS JOIN generate_series(1, 3) k
            CROSS JOIN LATERAL (SELECT 1 + (o.id + k) %% 4 AS q) qq
            JOIN catalog_product p
              ON p.id = 1 + (o.id * 7 + k * %(products)s / 3) %% %(products)s""",
    """UPDATE sales_salesorder o SET subtotal = s, tax_total = t, total = s + t
       FROM (SELECT order_id, sum(line_subtotal) s, sum(line_tax) t
             FROM sales_salesorderline GROUP BY order_id) l WHERE l.order_id = o.id""",
    """INSERT INTO shipping_shipment (id, created_at, updated_at, number, status, carrier,
         service, tracking_number, tracking_url, shipped_at, delivered_at, created_by_id,
         sales_order_id)
       SELECT o.id, o.confirmed_at, o.confirmed_at, 'SH-' || lpad(o.id::text, 6, '0'),
              o.status, 'ups', 'ground', '1Z' || o.id, '', shipped,
              CASE o.status WHEN 'delivered' THEN shipped + interval '3 days' END,
              NULL, o.id
       FROM sales_salesorder o,
            LATERAL (SELECT least(o.confirmed_at + (o.id %% 72) * interval '1 hour',
                                  %(end)s) AS shipped) s
       WHERE o.status IN ('shipped', 'delivered')""",
    """INSERT INTO shipping_shipmentline (id, quantity, sales_order_line_id, shipment_id)
       SELECT l.id, l.quantity_shipped, l.id, l.order_id FROM sales_salesorderline l
       WHERE l.quantity_shipped > 0""",
    """INSERT INTO inventory_stockmovement (quantity, kind, reference_type, reference_id,
         unit_cost, created_at, reason, note, created_by_id, product_id, warehouse_id)
       SELECT -l.quantity_shipped, 'shipment', 'shipment', s.id, p.cost, s.shipped_at, '', '',
              NULL, l.product_id, o.warehouse_id
       FROM shipping_shipment s JOIN sales_salesorder o ON o.id = s.sales_order_id
            JOIN sales_salesorderline l ON l.order_id = o.id
            JOIN catalog_product p ON p.id = l.product_id
       ORDER BY s.shipped_at, s.id""",
    # counted corrections through the two years, each found and put back (+q then -q)
    """INSERT INTO inventory_stockmovement (quantity, kind, reference_type, reference_id,
         unit_cost, created_at, reason, note, created_by_id, product_id, warehouse_id)
       SELECT CASE WHEN i %% 2 = 0 THEN 1 + (i / 2) %% 5 ELSE -(1 + (i / 2) %% 5) END,
              'adjustment', '', NULL, NULL,
              %(start)s + %(span)s * i / %(corrections)s + (i %% 2) * interval '1 hour',
              'correction', '', NULL,
              1 + (i / 2) %% %(products)s, 1 + (i / 2) %% %(warehouses)s
       FROM generate_series(0, %(corrections)s - 1) i""",
    # the opening balance of every level: what the ledger needs to end at a chosen
    # balance above what is reserved: 2%% of levels at or below the reorder point (20)
    """INSERT INTO inventory_stocklevel (on_hand, reserved, average_cost, reorder_point,
         product_sku, warehouse_code, updated_at, product_id, warehouse_id)
       SELECT coalesce(r.reserved, 0), coalesce(r.reserved, 0), p.cost, p.reorder_point,
              p.sku, w.code, %(end)s, p.id, w.id
       FROM catalog_product p CROSS JOIN inventory_warehouse w
            LEFT JOIN (SELECT l.product_id, o.warehouse_id,
                              sum(l.quantity - l.quantity_shipped) reserved
                       FROM sales_salesorderline l JOIN sales_salesorder o ON o.id = l.order_id
                       WHERE o.status IN ('confirmed', 'partially_shipped')
                       GROUP BY 1, 2) r ON r.product_id = p.id AND r.warehouse_id = w.id""",
    """INSERT INTO inventory_stockmovement (quantity, kind, reference_type, reference_id,
         unit_cost, created_at, reason, note, created_by_id, product_id, warehouse_id)
       SELECT opening, 'adjustment', '', NULL, s.average_cost, %(start)s, 'opening balance', '',
              NULL, s.product_id, s.warehouse_id
       FROM inventory_stocklevel s
            LEFT JOIN (SELECT product_id, warehouse_id, sum(quantity) moved
                       FROM inventory_stockmovement GROUP BY 1, 2) m
              ON m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id,
            LATERAL (SELECT s.reserved - coalesce(m.moved, 0) + CASE
                       WHEN s.id %% 50 = 0 THEN (s.id / 50) %% 20  -- 2%% at or below
                       ELSE 21 + (s.id * 7) %% 61 END AS opening) o
       WHERE opening <> 0""",
    """UPDATE inventory_stocklevel s SET on_hand = m.total
       FROM (SELECT product_id, warehouse_id, sum(quantity) total
             FROM inventory_stockmovement GROUP BY 1, 2) m
       WHERE m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id""",
    # the outbox: events already numbered
    """INSERT INTO events_event (type, occurred_at, data, position)
       SELECT (ARRAY['stock.changed', 'sales_order.confirmed', 'shipment.shipped',
                     'sales_order.created', 'purchase_order.received'])[1 + i %% 5],
              %(start)s + %(span)s * i / %(events)s,
              jsonb_build_object('product', 1 + i %% %(products)s, 'warehouse',
                                 1 + i %% %(warehouses)s, 'on_hand', '12.000'),
              i
       FROM generate_series(1, %(events)s) i""",
]

# The history is written as SQL, and the row triggers that copy each row into the audit
# history (django-pghistory) would write it all a second time: off while the build runs,
# in its transaction (foreign keys, which are system triggers, stay checked).
HISTORY_TRIGGERS = """DO $$ DECLARE found record; BEGIN
  FOR found IN SELECT DISTINCT tgrelid::regclass AS name FROM pg_trigger
               WHERE tgname LIKE 'pgtrigger_%' LOOP
    EXECUTE format('ALTER TABLE %s {action} TRIGGER USER', found.name);
  END LOOP; END $$"""


def _written(statement: str) -> str:
    """The table an ``INSERT INTO``/``UPDATE`` statement writes."""
    found = re.search(r"(?:INSERT INTO|UPDATE)\s+(\w+)", statement)
    assert found is not None, statement
    return found.group(1)


SEQUENCED = [
    "catalog_category",
    "partners_supplier",
    "partners_customer",
    "inventory_warehouse",
    "catalog_product",
    "purchasing_purchaseorder",
    "purchasing_purchaseorderline",
    "sales_salesorder",
    "sales_salesorderline",
    "shipping_shipment",
    "shipping_shipmentline",
    "events_event",
]


def _database(size: str, prefix: str) -> harness.Database:
    return harness.Database(f"{harness.LOCAL_SERVER}/{prefix}_{size}")


def _manage(database: harness.Database, *arguments: str, **env: str) -> str:
    """Run ``manage.py`` on ``database``; its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=harness.ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database.url,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            **env,
        },
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout + done.stderr


def _built(database: harness.Database) -> bool:
    with psycopg.connect(database.dsn) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_tables WHERE tablename = 'events_event'"
        ).fetchone()
        return bool(found) and bool(
            connection.execute("SELECT 1 FROM events_event LIMIT 1").fetchone()
        )


def build(size: str, prefix: str, *, rebuild: bool = False) -> harness.Database:
    """The business of ``size`` in its own database, built unless it is there already."""
    database = _database(size, prefix)
    if rebuild:
        with psycopg.connect(database.maintenance_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')
    with psycopg.connect(database.maintenance_dsn, autocommit=True) as admin:
        if not admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database.name,)
        ).fetchone():
            admin.execute(f'CREATE DATABASE "{database.name}"')
    _manage(database, "migrate", "-v0")
    if _built(database):
        print(f"{size}: {database.name} is built already", flush=True)
        _post_deployment(database)
        return database
    shape = Shape(SIZES[size])
    midnight = datetime.combine(date.today(), time.min, tzinfo=UTC)
    params: dict[str, Any] = {
        "start": midnight - timedelta(days=HISTORY_DAYS - 1),
        "end": midnight + timedelta(hours=23),  # nothing later than today
        "span": timedelta(days=HISTORY_DAYS - 1),
        "warehouses": WAREHOUSES,
        "products": shape.products,
        "customers": shape.customers,
        "suppliers": shape.suppliers,
        "purchase_orders": shape.purchase_orders,
        "sales_orders": shape.sales_orders,
        "events": shape.events,
    }
    began = clock.monotonic()
    with psycopg.connect(database.dsn) as connection:
        # opening balances (one per level) and the receipts and shipments come first;
        # corrections fill the ledger up to its size
        purchase_lines = shape.purchase_orders * 3 * 0.96
        shipped_lines = shape.sales_orders * 3 * 0.955
        levels = shape.products * WAREHOUSES
        corrections = shape.movements - purchase_lines - shipped_lines - levels
        params["corrections"] = max(2, 2 * math.floor(corrections / 2))
        connection.execute(HISTORY_TRIGGERS.format(action="DISABLE"))
        for statement in BUILD:
            connection.execute(statement, params)
            # the next statements' plans need the rows just written (a join planned on
            # an empty-looking table is a nested loop over thousands of rows per row)
            connection.execute(f"ANALYZE {_written(statement)}")
        connection.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred key checks, now
        connection.execute(HISTORY_TRIGGERS.format(action="ENABLE"))
        for table in SEQUENCED:
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
    with psycopg.connect(database.dsn, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    print(f"{size}: built {database.name} in {clock.monotonic() - began:.0f} s", flush=True)
    _post_deployment(database)
    print(_manage(database, "check_stock_ledger").strip(), flush=True)
    _check_invariants(database)
    return database


def _post_deployment(database: harness.Database) -> None:
    """The post-deployment steps, on what the SQL wrote: report summaries from the
    history, what is on order from the open purchase orders."""
    for command in ("rebuild_report_summaries", "recount_on_order"):
        began = clock.monotonic()
        done = _manage(database, command).strip()
        print(f"  {done} ({clock.monotonic() - began:.0f} s)", flush=True)


INVARIANTS = {
    "levels equal their ledger": """
        SELECT count(*) FROM inventory_stocklevel s LEFT JOIN (
          SELECT product_id, warehouse_id, sum(quantity) total FROM inventory_stockmovement
          GROUP BY 1, 2) m ON m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id
        WHERE s.on_hand <> coalesce(m.total, 0)""",
    "reserved equals open reservations": """
        SELECT count(*) FROM inventory_stocklevel s LEFT JOIN (
          SELECT l.product_id, o.warehouse_id, sum(l.quantity - l.quantity_shipped) open
          FROM sales_salesorderline l JOIN sales_salesorder o ON o.id = l.order_id
          WHERE o.status IN ('confirmed', 'partially_shipped') GROUP BY 1, 2) r
          ON r.product_id = s.product_id AND r.warehouse_id = s.warehouse_id
        WHERE s.reserved <> coalesce(r.open, 0)""",
    "sales order totals equal their lines": """
        SELECT count(*) FROM sales_salesorder o JOIN (
          SELECT order_id, sum(line_subtotal) s, sum(line_discount) d, sum(line_tax) t,
                 sum(line_total) total FROM sales_salesorderline GROUP BY 1) l
          ON l.order_id = o.id
        WHERE (o.subtotal, o.discount_total, o.tax_total, o.total) <> (l.s, l.d, l.t, l.total)""",
    "purchase order totals equal their lines": """
        SELECT count(*) FROM purchasing_purchaseorder o JOIN (
          SELECT order_id, sum(line_subtotal) s, sum(line_tax) t, sum(line_total) total
          FROM purchasing_purchaseorderline GROUP BY 1) l ON l.order_id = o.id
        WHERE (o.subtotal, o.tax_total, o.total) <> (l.s, l.t, l.total)""",
    "shipped quantities equal shipment lines": """
        SELECT count(*) FROM sales_salesorderline l LEFT JOIN (
          SELECT sl.sales_order_line_id, sum(sl.quantity) q FROM shipping_shipmentline sl
          JOIN shipping_shipment s ON s.id = sl.shipment_id
          WHERE s.status IN ('shipped', 'delivered') GROUP BY 1) s
          ON s.sales_order_line_id = l.id
        WHERE l.quantity_shipped <> coalesce(s.q, 0)""",
}


def _check_invariants(database: harness.Database) -> None:
    with psycopg.connect(database.dsn) as connection:
        for name, query in INVARIANTS.items():
            broken = connection.execute(query).fetchone()[0]  # type: ignore[index]
            print(f"  {name}: {'yes' if not broken else f'NO ({broken} rows)'}", flush=True)
            if broken:
                raise SystemExit(f"invariant broken: {name}")
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
            for table in (
                "inventory_stocklevel",
                "inventory_stockmovement",
                "sales_salesorder",
                "sales_salesorderline",
                "shipping_shipment",
                "purchasing_purchaseorder",
                "events_event",
            )
        }
        print("  " + ", ".join(f"{table} {count:,}" for table, count in counts.items()))


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Measure:
    """One operation at one size: latencies in ms, server CPU ms per request."""

    latencies: list[float] = field(default_factory=list)
    cpu_ms: float = 0.0
    peak_rss_mb: float | None = None
    status: int = 0

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies)


@dataclass(frozen=True)
class Operation:
    name: str
    path: Callable[["Site"], str]  # the request, given what the size's data looks like
    repeat: int = 5
    export: bool = False  # a file: its peak RSS is measured


@dataclass(frozen=True)
class Site:
    """What the requests of one size need to know about its data."""

    year: str  # date_from=...&date_to=... over the last 365 days
    month: str  # over the last 30 days
    pages: dict[str, int]  # list path -> its number of pages (50 a page)
    customer: int
    warehouse: int
    product: int


def _rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak(pid: int) -> None:
    """Start a new peak RSS (VmHWM) from now (Linux: clear_refs 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _page(list_path: str, where: str) -> Callable[[Site], str]:
    def path(site: Site) -> str:
        last = site.pages[list_path]
        page = {"first": 1, "middle": max(1, last // 2), "last": last}[where]
        return f"{list_path}?page={page}"

    return path


def _yearly(report: str, group_by: str) -> Callable[[Site], str]:
    def path(site: Site) -> str:
        return f"/api/v1/reports/{report}/?group_by={group_by}&{site.year}"

    return path


LISTS = [
    "/api/v1/sales-orders/",
    "/api/v1/purchase-orders/",
    "/api/v1/shipments/",
    "/api/v1/stock-levels/",
]
OPERATIONS = [
    *(
        Operation(f"GET {path.split('/')[3]} page {where}", _page(path, where))
        for path in LISTS
        for where in ("first", "middle", "last")
    ),
    Operation("GET products page 1", lambda s: "/api/v1/products/"),
    Operation("GET customers page 1", lambda s: "/api/v1/customers/"),
    Operation("GET suppliers page 1", lambda s: "/api/v1/suppliers/"),
    Operation("GET warehouses", lambda s: "/api/v1/warehouses/"),
    Operation("GET stock-movements (cursor)", lambda s: "/api/v1/stock-movements/"),
    Operation(
        "GET stock-levels below reorder", lambda s: "/api/v1/stock-levels/?below_reorder_point=true"
    ),
    Operation("GET reorder-suggestions", lambda s: "/api/v1/reorder-suggestions/"),
    Operation("GET events (from the start)", lambda s: "/api/v1/events/?after=0"),
    Operation("report low-stock", lambda s: "/api/v1/reports/low-stock/"),
    *(
        Operation(f"report sales by {group}, 1 year", _yearly("sales", group))
        for group in ("day", "week", "month", "product", "customer")
    ),
    Operation(
        "report sales by day, 1 year, 1 customer",
        lambda s: f"/api/v1/reports/sales/?group_by=day&customer={s.customer}&{s.year}",
    ),
    *(
        Operation(f"report purchases by {group}, 1 year", _yearly("purchases", group))
        for group in ("month", "supplier", "product")
    ),
    *(
        Operation(f"report fulfillment by {group}, 1 year", _yearly("fulfillment", group))
        for group in ("day", "month")
    ),
    Operation("report inventory-valuation", lambda s: "/api/v1/reports/inventory-valuation/", 3),
    Operation(
        "report inventory-valuation, 1 warehouse",
        lambda s: f"/api/v1/reports/inventory-valuation/?warehouse={s.warehouse}",
    ),
    Operation(
        "report stock-movements, 1 month",
        lambda s: f"/api/v1/reports/stock-movements/?{s.month}",
        3,
    ),
    Operation(
        "report stock-movements, 1 month, 1 product",
        lambda s: f"/api/v1/reports/stock-movements/?product={s.product}&{s.month}",
    ),
    Operation(
        "export inventory-valuation CSV",
        lambda s: "/api/v1/reports/inventory-valuation/?format=csv",
        3,
        True,
    ),
    Operation(
        "export inventory-valuation XLSX",
        lambda s: "/api/v1/reports/inventory-valuation/?format=xlsx",
        3,
        True,
    ),
    Operation(
        "export stock-movements month CSV",
        lambda s: f"/api/v1/reports/stock-movements/?format=csv&{s.month}",
        3,
        True,
    ),
    Operation(
        "export stock-movements month XLSX",
        lambda s: f"/api/v1/reports/stock-movements/?format=xlsx&{s.month}",
        2,
        True,
    ),
    Operation(
        "export sales by product CSV",
        lambda s: f"/api/v1/reports/sales/?format=csv&group_by=product&{s.year}",
        3,
        True,
    ),
]


def _period(days: int) -> str:
    today = date.today()
    return f"date_from={today - timedelta(days=days - 1)}&date_to={today}"


def _site(client: httpx.Client, database: harness.Database) -> Site:
    pages = {}
    for path in LISTS:
        count = client.get(path, params={"page_size": 1}).json()["count"]
        pages[path] = max(1, math.ceil(count / 50))
    with psycopg.connect(database.dsn) as connection:
        customer, warehouse, product = connection.execute(
            "SELECT customer_id, warehouse_id, (SELECT product_id FROM sales_salesorderline "
            "WHERE order_id = o.id LIMIT 1) FROM sales_salesorder o ORDER BY id DESC LIMIT 1"
        ).fetchone()  # type: ignore[misc]
    return Site(_period(365), _period(30), pages, customer, warehouse, product)


def _request(client: httpx.Client, path: str) -> tuple[float, int, float]:
    """(ms to the whole body, status, ms to the first byte of the body)."""
    began = clock.perf_counter()
    first = 0.0
    with client.stream("GET", path) as response:
        for _ in response.iter_raw(64 * 1024):
            if not first:
                first = clock.perf_counter() - began
        status = response.status_code
    took = clock.perf_counter() - began
    return took * 1000, status, (first or took) * 1000


def _measure(client: httpx.Client, pid: int, site: Site, operation: Operation) -> Measure:
    path = operation.path(site)
    _request(client, path)  # warm: imports, plans, caches
    measure = Measure()
    if operation.export:
        _reset_peak(pid)
    cpu_before = harness._cpu_of(pid)
    for _ in range(operation.repeat):
        took, measure.status, _ = _request(client, path)
        measure.latencies.append(took)
    measure.cpu_ms = (harness._cpu_of(pid) - cpu_before) / operation.repeat * 1000
    if operation.export:
        measure.peak_rss_mb = _rss_mb(pid, "VmHWM")
    return measure


def _write(client: httpx.Client, site: Site) -> Measure:
    """Create a one-line order and confirm it, ten times."""
    measure = Measure()
    for _ in range(10):
        began = clock.perf_counter()
        order = client.post(
            "/api/v1/sales-orders/",
            json={
                "customer": site.customer,
                "warehouse": site.warehouse,
                "lines": [{"product": site.product, "quantity": "1"}],
            },
        )
        order.raise_for_status()
        confirmed = client.post(f"/api/v1/sales-orders/{order.json()['id']}/confirm/")
        measure.status = confirmed.status_code
        measure.latencies.append((clock.perf_counter() - began) * 1000)
        cancelled = client.post(f"/api/v1/sales-orders/{order.json()['id']}/cancel/")
        cancelled.raise_for_status()  # the stock goes back: every run finds the same
    return measure


@dataclass
class SizeResult:
    measures: dict[str, Measure]
    first_byte_ms: float
    memory: list[tuple[str, float, float]]  # request, worker RSS MB after 1 and after 10
    peak_rss: float


def measure_size(size: str, database: harness.Database, port: int, only: str) -> SizeResult:
    _manage(
        database,
        "createsuperuser",
        "--noinput",
        DJANGO_SUPERUSER_USERNAME=USERNAME,
        DJANGO_SUPERUSER_EMAIL="bench@example.com",
        DJANGO_SUPERUSER_PASSWORD=harness.PASSWORD,
    ) if not _has_user(database) else None
    with harness.api_server(database, port=port, workers=1, pool=4) as server:
        token = httpx.post(
            f"{server.base}/api/v1/auth/token/",
            json={"username": USERNAME, "password": harness.PASSWORD},
            timeout=120,
        ).json()["access"]
        client = httpx.Client(
            base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=300
        )
        pid = server.process.pid
        # memory first, on a fresh worker: one large report, then nine more; as JSON
        # (one warehouse: a whole valuation is more rows than JSON carries) and as CSV
        memory = []
        for path in (
            "/api/v1/reports/inventory-valuation/?warehouse=1",
            "/api/v1/reports/inventory-valuation/?format=csv",
        ):
            client.get(path).raise_for_status()
            after_one = _rss_mb(pid)
            for _ in range(9):
                client.get(path).raise_for_status()
            memory.append((path, after_one, _rss_mb(pid)))
        site = _site(client, database)
        measures = {}
        for operation in OPERATIONS:
            if only and not re.search(only, operation.name):
                continue
            measures[operation.name] = _measure(client, pid, site, operation)
            found = measures[operation.name]
            rss = f", peak RSS {found.peak_rss_mb:,.0f} MB" if found.peak_rss_mb else ""
            print(
                f"  {size:6} {operation.name:45} {found.p50:9.1f} ms p50, "
                f"{found.cpu_ms:8.1f} ms CPU ({found.status}{rss})",
                flush=True,
            )
        measures["POST create + confirm order"] = _write(client, site)
        first_bytes = [
            _request(client, f"/api/v1/reports/stock-movements/?format=csv&{site.month}")[2]
            for _ in range(3)
        ]
        peak = _rss_mb(pid, "VmHWM")
        client.close()
    return SizeResult(measures, statistics.median(first_bytes), memory, peak)


def _has_user(database: harness.Database) -> bool:
    with psycopg.connect(database.dsn) as connection:
        return bool(
            connection.execute(
                "SELECT 1 FROM accounts_user WHERE username = %s", (USERNAME,)
            ).fetchone()
        )


def report(sizes: list[str], results: dict[str, SizeResult]) -> Iterator[str]:
    smallest, largest = sizes[0], sizes[-1]
    header = ["operation", *(f"{size} p50 ms" for size in sizes), "growth"]
    header += [f"{size} CPU ms" for size in sizes] + [f"{largest} peak RSS MB"]
    yield "| " + " | ".join(header) + " |"
    yield "|" + "---|" * len(header)
    for name in results[smallest].measures:
        cells = [name]
        cells += [f"{results[size].measures[name].p50:,.1f}" for size in sizes]
        cells.append(
            f"{results[largest].measures[name].p50 / results[smallest].measures[name].p50:.1f} x"
        )
        cells += [f"{results[size].measures[name].cpu_ms:,.1f}" for size in sizes]
        peak = results[largest].measures[name].peak_rss_mb
        cells.append(f"{peak:,.0f}" if peak is not None else "")
        yield "| " + " | ".join(cells) + " |"
    for size in sizes:
        result = results[size]
        yield (
            f"\n{size}: stock-movements month CSV first byte {result.first_byte_ms:,.0f} ms; "
            f"worker peak RSS {result.peak_rss:,.0f} MB"
        )
        for path, one, ten in result.memory:
            yield f"  RSS after 1 x {path}: {one:,.0f} MB, after 10: {ten:,.0f} (+{ten - one:.0f})"


def main() -> None:
    os.environ["JWT_ACCESS_MINUTES"] = "600"  # one token lasts the whole run
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("command", choices=["build", "measure"])
    parser.add_argument("--size", default="small", choices=list(SIZES), help="build: which")
    parser.add_argument("--sizes", default="small,large", help="measure: which, smallest first")
    parser.add_argument("--rebuild", action="store_true", help="build: drop and build again")
    parser.add_argument("--database-prefix", default="sy_scale")
    parser.add_argument("--only", default="", help="measure: operations matching this regex")
    parser.add_argument("--port", type=int, default=8170)
    options = parser.parse_args()
    if options.command == "build":
        build(options.size, options.database_prefix, rebuild=options.rebuild)
        return
    sizes = options.sizes.split(",")
    print(harness.machine(), flush=True)
    results = {}
    for offset, size in enumerate(sizes):
        database = build(size, options.database_prefix)
        results[size] = measure_size(size, database, options.port + offset, options.only)
    print(f"\n{harness.machine()} (at the end)\n")
    print("\n".join(report(sizes, results)))


if __name__ == "__main__":
    main()
