"""Order placement benchmark: create + confirm a 3-line sales order, 16 clients at once.

In one run, against PostgreSQL, for a fixed time each:
  1. the HTTP API on a multi-worker uvicorn server: ``POST /api/v1/sales-orders/`` with
     three lines, then ``POST /api/v1/sales-orders/{id}/confirm/`` (the stock is reserved);
  2. the same database work as raw SQL through psycopg, one transaction per order: insert
     the order and its 3 lines, lock the 3 stock levels (primary-key order) and reserve
     with guarded UPDATEs, insert the outbox events (order created and confirmed, 3
     ``stock.changed``).
Each order names 3 distinct products drawn at random from a catalog of ``--products``,
so orders contend on stock rows the way a real catalog would, not all on one row.
Prints orders/s, p50/p99 per order (both requests) and the API / raw SQL ratio.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockyard_c_bench \\
        python3 -m uv run python bench/order_placement.py --seconds 10

The database is created if missing and migrated; the benchmark's own customer, warehouse
and products are reused between runs. Loopback only; every loop is bounded in time.
"""

import argparse
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-123"
LINES = 3
WARM_UP_SECONDS = 2.0


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    elapsed: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by process group

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def row(self) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        orders = max(len(self.latencies), 1)
        per_order = " | ".join(
            f"{self.cpu[who] / orders * 1000:.1f}" if who in self.cpu else "-"
            for who in CPU_COLUMNS
        )
        return (
            f"| {self.name} | {self.rate:,.1f} | {p50:.1f} | {p99:.1f} | "
            f"{len(self.latencies)} | {self.failures} | {per_order} |"
        )


# --- CPU accounting (Linux /proc), to say what limits throughput ------------------------

CPU_COLUMNS = ("server", "client", "postgres")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of one process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _children(pid: int) -> list[int]:
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
    found = []
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def cpu_snapshot(
    server: int, admin: psycopg.Connection, database: str
) -> dict[str, dict[int, float]]:
    """CPU seconds so far, per process: the uvicorn server and its workers, this
    benchmark's own process, and the PostgreSQL backends serving ``database``."""
    backends = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)
    ).fetchall()
    return {
        "server": {pid: _cpu_of(pid) for pid in [server, *_children(server)]},
        "client": {os.getpid(): time.process_time()},
        "postgres": {pid: _cpu_of(pid) for (pid,) in backends},
    }


def cpu_used(
    before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]
) -> dict[str, float]:
    """CPU seconds spent between two snapshots (processes that appeared count in full)."""
    return {
        who: sum(seconds - before[who].get(pid, 0.0) for pid, seconds in after[who].items())
        for who in after
    }


def run_clients(name: str, clients: int, seconds: float, place: Callable[[int], bool]) -> Result:
    """``place(client)`` places one order and says whether it succeeded."""
    result = Result(name)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = 0.0

    def client(index: int) -> None:
        start.wait()
        while time.monotonic() < deadline:
            began = time.perf_counter()
            placed = place(index)
            took = time.perf_counter() - began
            with lock:
                if placed:
                    result.latencies.append(took)
                else:
                    result.failures += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    result.elapsed = time.monotonic() - began
    return result


# --- setup through Django and the services ----------------------------------------------


@dataclass(frozen=True)
class Fixture:
    customer: int
    warehouse: int
    products: list[int]
    levels: dict[int, int]  # product id -> stock level id


def prepare(database_url: str, product_count: int) -> Fixture:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    from stockyard.accounts.models import User
    from stockyard.accounts.roles import Role
    from stockyard.accounts.services import user_create
    from stockyard.catalog.models import Product
    from stockyard.inventory.models import StockLevel, Warehouse
    from stockyard.inventory.services import stock_adjust, warehouse_create
    from stockyard.partners.models import Customer

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="bench-sales").exists():
        user_create(username="bench-sales", password=PASSWORD, roles=[Role.SALES])
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
                product_id=product.pk,
                warehouse_id=warehouse.pk,
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


def start_server(database_url: str, port: int, workers: int, pool: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "THROTTLE_RATES": "anon=1000000/minute,user=1000000/minute,auth=1000/minute",
        "DATABASE_POOL_MAX_SIZE": str(pool),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not start")


# --- the two contenders -------------------------------------------------------------------


def api_placer(base: str, clients: int, fixture: Fixture) -> Callable[[int], bool]:
    token = httpx.post(
        f"{base}/api/v1/auth/token/", json={"username": "bench-sales", "password": PASSWORD}
    ).json()["access"]
    sessions = [
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        for _ in range(clients)
    ]
    rngs = [random.Random(index) for index in range(clients)]

    def place(client: int) -> bool:
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
            return False
        order = created.json()["id"]
        return session.post(f"/api/v1/sales-orders/{order}/confirm/").status_code == 200

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


class OutOfStock(Exception):
    """A guarded UPDATE found too little available: the transaction rolls back."""


def sql_placer(connections: list[psycopg.Connection], fixture: Fixture) -> Callable[[int], bool]:
    rngs = [random.Random(1000 + index) for index in range(len(connections))]

    def place(client: int) -> bool:
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
        except (psycopg.Error, OutOfStock):
            return False
        return True

    return place


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10, help="per contender")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--pool", type=int, default=4, help="DB pool size per worker")
    parser.add_argument("--port", type=int, default=8021)
    parser.add_argument("--products", type=int, default=200)
    args = parser.parse_args()
    database_url = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stockyard_c_bench"
    )
    dsn = database_url.replace("postgres://", "postgresql://", 1)
    server_dsn, name = dsn.rsplit("/", 1)
    with psycopg.connect(f"{server_dsn}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')

    fixture = prepare(database_url, args.products)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    server = start_server(database_url, args.port, args.workers, args.pool)
    connections = [psycopg.connect(dsn) for _ in range(args.clients)]
    admin = psycopg.connect(f"{server_dsn}/postgres", autocommit=True)
    load = os.getloadavg()[0]  # the machine may be busy with more than this benchmark
    try:
        base = f"http://127.0.0.1:{args.port}"
        api_place = api_placer(base, args.clients, fixture)
        run_clients("warm-up", args.clients, WARM_UP_SECONDS, api_place)  # imports, pools
        before = cpu_snapshot(server.pid, admin, name)
        api = run_clients("HTTP API (create + confirm)", args.clients, args.seconds, api_place)
        api.cpu = cpu_used(before, cpu_snapshot(server.pid, admin, name))

        before = cpu_snapshot(server.pid, admin, name)
        raw = run_clients(
            "raw SQL (psycopg, 1 transaction)",
            args.clients,
            args.seconds,
            sql_placer(connections, fixture),
        )
        used = cpu_used(before, cpu_snapshot(server.pid, admin, name))
        raw.cpu = {"client": used["client"], "postgres": used["postgres"]}
    finally:
        for conn in [*connections, admin]:
            conn.close()
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\nclients={args.clients} seconds={args.seconds} uvicorn workers={args.workers} "
        f"pool={args.pool} products={args.products} cores={os.cpu_count()} "
        f"load average at start={load:.1f}\n"
    )
    print(
        "| path | orders/s | p50 ms | p99 ms | orders | failed "
        "| server CPU ms/order | client CPU ms/order | PostgreSQL CPU ms/order |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(api.row())
    print(raw.row())
    print(f"\nAPI / raw SQL throughput: {api.rate / raw.rate:.2f}")


if __name__ == "__main__":
    main()
