"""Order placement benchmark: create + confirm a 3-line sales order, 16 clients at once.

In one run, against PostgreSQL, for a fixed time each:
  1. the HTTP API on a multi-worker uvicorn server: ``POST /api/v1/sales-orders/`` with
     three lines, then ``POST /api/v1/sales-orders/{id}/confirm/`` (the stock is reserved);
  2. the floor: the same two requests' worth of HTTP with no order work, two
     ``GET /api/v1/auth/me/`` (JWT checked, user and roles read, answer rendered), the
     most any pair of endpoints on this stack can do here;
  3. the same database work as raw SQL through psycopg, one transaction per order: insert
     the order and its 3 lines, lock the 3 stock levels (primary-key order) and reserve
     with guarded UPDATEs, insert the outbox events (order created and confirmed, 3
     ``stock.changed``); then, as the API does after each commit, a second transaction
     gives the events their feed positions (the sequencer's lock and statement, and the
     read of the active webhooks).
Each order names 3 distinct products drawn at random from a catalog of ``--products``,
so orders contend on stock rows the way a real catalog would, not all on one row.
  4. the floor again on the minimal stack (``bench/minimal``: Django + DRF + simplejwt and
     nothing else, the same two SELECTs per request), served the same way.
With ``--baseline-root DIR`` the API and its floor are first measured served from another
checkout (today's main, say): a before/after in one run.
Prints orders/s, p50/p99 per order (both requests), each contender / raw SQL, each floor's
server CPU / the minimal stack's, and with a baseline this API's server CPU per order /
the baseline's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockyard_c_bench \\
        python3 -m uv run python bench/order_placement.py --seconds 10

The database is created if missing and migrated; the benchmark's own customer, warehouse
and products are reused between runs. Loopback only; every loop is bounded in time.
"""

import json
import random
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file: find bench
from bench import harness

USER = "bench-sales"
LINES = 3


# --- setup through Django and the services ----------------------------------------------


@dataclass(frozen=True)
class Fixture:
    customer: int
    warehouse: int
    products: list[int]
    levels: dict[int, int]  # product id -> stock level id


def prepare(product_count: int) -> Fixture:
    from stockyard.catalog.models import Product
    from stockyard.inventory.models import StockLevel, Warehouse
    from stockyard.inventory.services import stock_adjust, warehouse_create
    from stockyard.partners.models import Customer

    harness.bench_user(USER, "sales")
    warehouse = Warehouse.objects.filter(code="BENCH-ORD").first() or warehouse_create(
        code="BENCH-ORD", name="Order placement benchmark"
    )
    customer, _ = Customer.objects.get_or_create(
        code="BENCH-ORD", defaults={"name": "Benchmark customer"}
    )
    products = []
    for n in range(product_count):
        product, _ = Product.objects.get_or_create(
            sku=f"BENCH-ORD-{n:04d}", defaults={"name": f"Bench {n}", "price": Decimal("9.99")}
        )
        products.append(product.pk)
        level = StockLevel.objects.filter(product=product, warehouse=warehouse).first()
        if level is None or level.on_hand - level.reserved < 100_000:
            stock_adjust(
                product=product,
                warehouse=warehouse,
                quantity=Decimal(1_000_000),
                reason="benchmark stock",
                unit_cost=Decimal("5.00"),
            )
    levels = dict(
        StockLevel.objects.filter(warehouse=warehouse, product_id__in=products).values_list(
            "product_id", "id"
        )
    )
    return Fixture(customer.pk, warehouse.pk, products, levels)


# --- the two contenders -------------------------------------------------------------------


def api_placer(server: harness.Server, clients: int, fixture: Fixture) -> harness.Attempt:
    sessions = server.sessions(USER, clients)
    rngs = [random.Random(index) for index in range(clients)]

    def place(client: int) -> bool | None:
        session = sessions[client]
        body = {
            "customer": fixture.customer,
            "warehouse": fixture.warehouse,
            "lines": [
                {"product": product, "quantity": "1", "tax_rate": "8.25"}
                for product in rngs[client].sample(fixture.products, LINES)
            ],
        }
        created = session.post("/api/v1/sales-orders/", json=body)
        if created.status_code != 201:
            return None
        order = created.json()["id"]
        status = session.post(f"/api/v1/sales-orders/{order}/confirm/").status_code
        return True if status == 200 else False if status == 409 else None

    return place


def floor_placer(server: harness.Server, clients: int, user: str) -> harness.Attempt:
    """Two authenticated requests that touch no business data, per "order"."""
    sessions = server.sessions(user, clients)

    def place(client: int) -> bool | None:
        answers = [sessions[client].get("/api/v1/auth/me/").status_code for _ in range(2)]
        return True if answers == [200, 200] else None

    return place


INSERT_ORDER = """
INSERT INTO sales_salesorder
    (customer_id, warehouse_id, status, currency, order_date, shipping_address, notes,
     subtotal, discount_total, tax_total, total, created_at, updated_at)
VALUES (%s, %s, 'draft', 'USD', current_date, '', '', %s, 0, %s, %s, now(), now())
RETURNING id
"""
NUMBER_ORDER = "UPDATE sales_salesorder SET number = 'SO-' || lpad(id::text, 6, '0') WHERE id = %s"
INSERT_LINE = """
INSERT INTO sales_salesorderline
    (order_id, product_id, quantity, quantity_shipped, unit_price, discount_percent, tax_rate,
     line_subtotal, line_discount, line_tax, line_total)
VALUES (%s, %s, 1, 0, 9.99, 0, 8.25, 9.99, 0, 0.82, 10.81)
"""
LOCK_LEVELS = "SELECT id FROM inventory_stocklevel WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
RESERVE = """
UPDATE inventory_stocklevel SET reserved = reserved + 1, updated_at = now()
WHERE id = %s AND on_hand - reserved >= 1
RETURNING product_id, warehouse_id, on_hand, reserved
"""
CONFIRM_ORDER = """
UPDATE sales_salesorder SET status = 'confirmed', confirmed_at = now(), updated_at = now()
WHERE id = %s
"""
INSERT_EVENT = "INSERT INTO events_event (type, occurred_at, data) VALUES (%s, now(), %s)"


ACTIVE_WEBHOOKS = "SELECT id, events FROM events_webhook WHERE is_active"


class OutOfStock(Exception):
    """A guarded UPDATE found too little available: the transaction rolls back."""


def sql_placer(connections: list[psycopg.Connection], fixture: Fixture) -> harness.Attempt:
    from stockyard.core.locks import TAKE_TURN_SQL  # the sequencer's very statements
    from stockyard.events import services as events

    sequence = events.NUMBER_BATCH.format(table="events_event")
    rngs = [random.Random(1000 + index) for index in range(len(connections))]

    def place(client: int) -> bool | None:
        products = rngs[client].sample(fixture.products, LINES)
        conn = connections[client]
        try:
            with conn.transaction(), conn.cursor() as cursor:
                row = cursor.execute(
                    INSERT_ORDER, (fixture.customer, fixture.warehouse, "29.97", "2.46", "32.43")
                ).fetchone()
                assert row is not None
                order = row[0]
                cursor.execute(NUMBER_ORDER, (order,))
                cursor.executemany(INSERT_LINE, [(order, product) for product in products])
                event = json.dumps({"id": order, "status": "draft", "total": "32.43"})
                cursor.execute(INSERT_EVENT, ("sales_order.created", event))
                levels = sorted(fixture.levels[product] for product in products)
                cursor.execute(LOCK_LEVELS, (levels,))
                for level in levels:
                    changed = cursor.execute(RESERVE, (level,)).fetchone()
                    if changed is None:
                        raise OutOfStock
                    product, warehouse, on_hand, reserved = changed
                    stock = {
                        "product": product,
                        "warehouse": warehouse,
                        "on_hand": str(on_hand),
                        "reserved": str(reserved),
                        "available": str(on_hand - reserved),
                    }
                    cursor.execute(INSERT_EVENT, ("stock.changed", json.dumps(stock)))
                cursor.execute(CONFIRM_ORDER, (order,))
                event = json.dumps({"id": order, "status": "confirmed", "total": "32.43"})
                cursor.execute(INSERT_EVENT, ("sales_order.confirmed", event))
            with conn.transaction(), conn.cursor() as cursor:
                cursor.execute(TAKE_TURN_SQL, (events.SEQUENCER_TURN,))
                cursor.execute(sequence, (events.SEQUENCE_BATCH,))
                cursor.execute(ACTIVE_WEBHOOKS)
        except OutOfStock:
            return False
        except psycopg.Error:
            return None
        return True

    return place


def main() -> None:
    parser = harness.argument_parser(__doc__, seconds=10, port=8021)
    parser.add_argument("--pool", type=int, default=4, help="DB pool size per worker")
    parser.add_argument("--products", type=int, default=200)
    args = harness.parse_arguments(parser)
    database = harness.bench_database("stockyard_c_bench")
    harness.setup_django(database)
    fixture = prepare(args.products)
    load = harness.machine()  # the machine may be busy with more than this benchmark
    serving = {"port": args.port, "workers": args.workers, "pool": args.pool}
    timing = {"clients": args.clients, "seconds": args.seconds}

    def api_pair(server: harness.Server, label: str) -> list[harness.Run]:
        """The order path then the floor, on one running API."""
        return [
            harness.measure(
                f"HTTP API{label} (create + confirm)",
                api_placer(server, args.clients, fixture),
                database=database,
                server=server,
                warm_up=True,
                **timing,
            ),
            harness.measure(
                f"HTTP floor{label} (2 x GET auth/me/)",
                floor_placer(server, args.clients, USER),
                database=database,
                server=server,
                warm_up=True,
                **timing,
            ),
        ]

    baseline: list[harness.Run] = []
    if args.baseline_root:
        with harness.api_server(database, root=args.baseline_root, **serving) as server:
            baseline = api_pair(server, f", baseline {harness.revision(args.baseline_root)}")
    with harness.api_server(database, **serving) as server:
        api, floor = api_pair(server, "")
    with harness.minimal_server(database, **{**serving, "port": args.port + 1}) as server:
        minimal = harness.measure(
            "minimal stack floor (2 x GET auth/me/)",
            floor_placer(server, args.clients, harness.MINIMAL_USER),
            database=server.database,
            server=server,
            warm_up=True,
            **timing,
        )
    with harness.sql_connections(database, args.clients) as connections:
        raw = harness.measure(
            "raw SQL (psycopg, 1 transaction)",
            sql_placer(connections, fixture),
            database=database,
            **timing,
        )

    print(
        f"\nclients={args.clients} seconds={args.seconds} uvicorn workers={args.workers} "
        f"pool={args.pool} products={args.products} {load}\n"
    )
    print(
        "| path | orders/s | p50 ms | p99 ms | orders | failed "
        "| server CPU ms/order | web | worker | client CPU ms/order | PostgreSQL CPU ms/order |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for run in (*baseline, api, floor, minimal, raw):
        print(run.row(run.successes, run.refusals + run.errors))
    print()
    for run in (*baseline, api, floor, minimal):
        print(f"{run.name} / raw SQL throughput: {run.rate / raw.rate:.2f}")
    for run in (*baseline[1:], floor):
        print(f"{run.name} / minimal stack, server CPU per pair: {harness.cpu_ratio(run, minimal)}")
    if baseline:
        print(f"server CPU per order, this / baseline: {harness.cpu_ratio(api, baseline[0])}")


if __name__ == "__main__":
    main()
