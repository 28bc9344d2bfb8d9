"""Hot-SKU benchmark: N concurrent clients removing one unit at a time from one product.

Runs against PostgreSQL, in one run:
  1. the HTTP API (``POST /api/v1/stock-adjustments/``, quantity -1) on a multi-worker
     uvicorn server, and
  2. the same database work as raw SQL through psycopg: per transaction one guarded
     ``UPDATE ... WHERE on_hand - reserved >= 1`` and one ledger ``INSERT``,
each for a fixed time with ample stock (throughput, p50/p99), then again with little
stock and more attempts than units (oversell: successes beyond the stock, must be 0).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockyard_bench \\
        python3 -m uv run python bench/hot_sku.py --clients 16 --seconds 15

The database is created if missing and migrated; its stock tables are used freely.
Loopback only; every loop is bounded in time.
"""

import argparse
import logging
import os
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


@dataclass
class Run:
    name: str
    latencies: list[float] = field(default_factory=list)
    successes: int = 0
    refusals: int = 0
    errors: int = 0
    elapsed: float = 0.0

    def report(self) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        rate = self.successes / self.elapsed if self.elapsed else 0
        return (
            f"| {self.name} | {rate:,.0f} | {p50:.1f} | {p99:.1f} | {self.successes} | "
            f"{self.refusals} | {self.errors} |"
        )


def hammer(name: str, clients: int, seconds: float, attempt: Callable[[int], bool | None]) -> Run:
    """``attempt(client)`` → True (done), False (refused: no stock), None (error)."""
    run = Run(name)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        barrier.wait()
        while time.monotonic() < deadline:
            started = time.perf_counter()
            outcome = attempt(index)
            took = time.perf_counter() - started
            with lock:
                run.latencies.append(took)
                if outcome is True:
                    run.successes += 1
                elif outcome is False:
                    run.refusals += 1
                else:
                    run.errors += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.monotonic()
    for thread in threads:
        thread.join()
    run.elapsed = time.monotonic() - started
    return run


# --- setup through Django -----------------------------------------------------------------


def prepare(database_url: str) -> dict[str, int]:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    from stockyard.accounts.models import User
    from stockyard.accounts.roles import Role
    from stockyard.accounts.services import user_create
    from stockyard.catalog.models import Product
    from stockyard.inventory.models import Warehouse
    from stockyard.inventory.services import warehouse_create

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="bench").exists():
        user_create(username="bench", password="bench-password-123", roles=[Role.WAREHOUSE])
    warehouse = Warehouse.objects.filter(code="BENCH").first() or warehouse_create(
        code="BENCH", name="Benchmark"
    )
    ids = {"warehouse": warehouse.pk}
    for name in ("api-hot", "sql-hot", "api-scarce", "sql-scarce"):
        product, _ = Product.objects.get_or_create(sku=f"BENCH-{name}", defaults={"name": name})
        ids[name] = product.pk
    return ids


def set_stock(product_id: int, warehouse_id: int, units: int) -> int:
    """Bring the level to exactly ``units`` through the service; return its level id."""
    from stockyard.inventory.models import StockLevel
    from stockyard.inventory.services import stock_adjust

    level = StockLevel.objects.filter(product_id=product_id, warehouse_id=warehouse_id).first()
    current = level.on_hand if level else Decimal(0)
    if current != units:
        stock_adjust(
            product_id=product_id,
            warehouse_id=warehouse_id,
            quantity=Decimal(units) - current,
            reason="benchmark reset",
        )
    return StockLevel.objects.get(product_id=product_id, warehouse_id=warehouse_id).pk


def ledger_state(product_id: int, warehouse_id: int) -> tuple[Decimal, Decimal]:
    from django.db.models import Sum

    from stockyard.inventory.models import StockLevel, StockMovement

    level = StockLevel.objects.get(product_id=product_id, warehouse_id=warehouse_id)
    total = StockMovement.objects.filter(
        product_id=product_id, warehouse_id=warehouse_id
    ).aggregate(total=Sum("quantity"))["total"]
    return level.on_hand, total


# --- the two contenders -----------------------------------------------------------------


def api_attempt(
    base: str, clients: int, product: int, warehouse: int
) -> Callable[[int], bool | None]:
    token = httpx.post(
        f"{base}/api/v1/auth/token/", json={"username": "bench", "password": "bench-password-123"}
    ).json()["access"]
    sessions = [
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        for _ in range(clients)
    ]
    body = {"product": product, "warehouse": warehouse, "quantity": "-1", "reason": "bench"}

    def attempt(client: int) -> bool | None:
        status = sessions[client].post("/api/v1/stock-adjustments/", json=body).status_code
        return True if status == 201 else False if status == 409 else None

    return attempt


RAW_UPDATE = """
UPDATE inventory_stocklevel SET on_hand = on_hand - 1, updated_at = now()
WHERE id = %s AND on_hand - reserved >= 1
RETURNING product_id, warehouse_id, average_cost
"""
RAW_INSERT = """
INSERT INTO inventory_stockmovement
    (product_id, warehouse_id, quantity, kind, reference_type, unit_cost, created_at, reason, note)
VALUES (%s, %s, -1, 'adjustment', '', %s, now(), 'bench', '')
"""


def sql_attempt(
    connections: list[psycopg.Connection], level_id: int
) -> Callable[[int], bool | None]:

    def attempt(client: int) -> bool | None:
        conn = connections[client]
        try:
            with conn.transaction(), conn.cursor() as cursor:
                row = cursor.execute(RAW_UPDATE, (level_id,)).fetchone()
                if row is None:
                    return False
                cursor.execute(RAW_INSERT, row)
                return True
        except psycopg.Error:
            return None

    return attempt


def start_server(database_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "THROTTLE_RATES": "anon=1000000/minute,user=1000000/minute,auth=1000/minute",
        "DATABASE_POOL_MAX_SIZE": "8",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
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
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--scarce-units", type=int, default=200)
    args = parser.parse_args()
    database_url = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stockyard_bench"
    )
    dsn = database_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(dsn.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        name = dsn.rsplit("/", 1)[1]
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')

    ids = prepare(database_url)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    warehouse = ids["warehouse"]
    plenty = 10_000_000
    server = start_server(database_url, args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    connections = [psycopg.connect(dsn) for _ in range(args.clients)]
    try:
        rows = []
        set_stock(ids["api-hot"], warehouse, plenty)
        api = hammer(
            "HTTP API",
            args.clients,
            args.seconds,
            api_attempt(base, args.clients, ids["api-hot"], warehouse),
        )
        rows.append(api)
        level = set_stock(ids["sql-hot"], warehouse, plenty)
        raw = hammer(
            "raw SQL (psycopg)", args.clients, args.seconds, sql_attempt(connections, level)
        )
        rows.append(raw)

        oversell = []
        set_stock(ids["api-scarce"], warehouse, args.scarce_units)
        api_scarce = hammer(
            "HTTP API, scarce",
            args.clients,
            5,
            api_attempt(base, args.clients, ids["api-scarce"], warehouse),
        )
        level = set_stock(ids["sql-scarce"], warehouse, args.scarce_units)
        sql_scarce = hammer("raw SQL, scarce", args.clients, 5, sql_attempt(connections, level))
        for run, product in ((api_scarce, ids["api-scarce"]), (sql_scarce, ids["sql-scarce"])):
            on_hand, ledger = ledger_state(product, warehouse)
            oversold = max(0, run.successes - args.scarce_units)
            oversell.append(
                f"| {run.name} | {args.scarce_units} | {run.successes} | {run.refusals} | "
                f"{oversold} | {on_hand} | {ledger} |"
            )
    finally:
        for conn in connections:
            conn.close()
        server.terminate()
        server.wait(timeout=30)

    print(f"\nclients={args.clients} seconds={args.seconds} uvicorn workers={args.workers}\n")
    print("| path | successful ops/s | p50 ms | p99 ms | done | refused | errors |")
    print("|---|---|---|---|---|---|---|")
    for run in rows:
        print(run.report())
    ratio = (api.successes / api.elapsed) / (raw.successes / raw.elapsed)
    print(f"\nAPI / raw SQL throughput: {ratio:.2f}\n")
    print("| path | stock | done | refused (409) | oversold | final on_hand | ledger sum |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(oversell))


if __name__ == "__main__":
    main()
