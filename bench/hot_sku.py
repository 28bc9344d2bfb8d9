"""Hot-SKU benchmark: N concurrent clients removing one unit at a time from one product.

Runs against PostgreSQL, in one run:
  1. the HTTP API (``POST /api/v1/stock-adjustments/``, quantity -1) on a multi-worker
     uvicorn server, and
  2. the same database work as raw SQL through psycopg: per transaction one guarded
     ``UPDATE ... WHERE on_hand - reserved >= 1`` and one ledger ``INSERT``,
each for a fixed time with ample stock (throughput, p50/p99, CPU per operation), then
again with little stock and more attempts than units (oversell: successes beyond the
stock, must be 0).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockyard_bench \\
        python3 -m uv run python bench/hot_sku.py --clients 16 --seconds 15

The database is created if missing and migrated; its stock tables are used freely.
Loopback only; every loop is bounded in time.
"""

import sys
from decimal import Decimal
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file: find bench
from bench import harness

USER = "bench"
SCARCE_SECONDS = 5


# --- setup through Django -----------------------------------------------------------------


def prepare() -> dict[str, int]:
    from stockyard.catalog.models import Product
    from stockyard.inventory.models import Warehouse
    from stockyard.inventory.services import warehouse_create

    harness.bench_user(USER, "warehouse")
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
    from stockyard.catalog.models import Product
    from stockyard.inventory.models import StockLevel, Warehouse
    from stockyard.inventory.services import stock_adjust

    level = StockLevel.objects.filter(product_id=product_id, warehouse_id=warehouse_id).first()
    current = level.on_hand if level else Decimal(0)
    if current != units:
        stock_adjust(
            product=Product.objects.get(pk=product_id),
            warehouse=Warehouse.objects.get(pk=warehouse_id),
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
    server: harness.Server, clients: int, product: int, warehouse: int
) -> harness.Attempt:
    sessions = server.sessions(USER, clients)
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


def sql_attempt(connections: list[psycopg.Connection], level_id: int) -> harness.Attempt:

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


def main() -> None:
    parser = harness.argument_parser(__doc__, seconds=15, port=8090)
    parser.add_argument("--scarce-units", type=int, default=200)
    args = harness.parse_arguments(parser)
    database = harness.bench_database("stockyard_bench")
    harness.setup_django(database)
    ids = prepare()
    warehouse = ids["warehouse"]
    plenty = 10_000_000
    load = harness.machine()
    serving = {"port": args.port, "workers": args.workers, "pool": 8}
    timing = {"clients": args.clients, "seconds": args.seconds}

    def api_run(server: harness.Server, label: str) -> harness.Run:
        set_stock(ids["api-hot"], warehouse, plenty)
        attempt = api_attempt(server, args.clients, ids["api-hot"], warehouse)
        return harness.measure(
            f"HTTP API{label}", attempt, database=database, server=server, warm_up=True, **timing
        )

    baseline: list[harness.Run] = []
    if args.baseline_root:
        with harness.api_server(database, root=args.baseline_root, **serving) as server:
            baseline = [api_run(server, f", baseline {harness.revision(args.baseline_root)}")]
    with harness.api_server(database, **serving) as server:
        api = api_run(server, "")
        set_stock(ids["api-scarce"], warehouse, args.scarce_units)
        api_scarce = harness.hammer(
            "HTTP API, scarce",
            args.clients,
            SCARCE_SECONDS,
            api_attempt(server, args.clients, ids["api-scarce"], warehouse),
        )
    with harness.sql_connections(database, args.clients) as connections:
        raw_level = set_stock(ids["sql-hot"], warehouse, plenty)
        raw = harness.measure(
            "raw SQL (psycopg)", sql_attempt(connections, raw_level), database=database, **timing
        )
        level = set_stock(ids["sql-scarce"], warehouse, args.scarce_units)
        sql_scarce = harness.hammer(
            "raw SQL, scarce", args.clients, SCARCE_SECONDS, sql_attempt(connections, level)
        )
    oversell = []
    for run, product in ((api_scarce, ids["api-scarce"]), (sql_scarce, ids["sql-scarce"])):
        on_hand, ledger = ledger_state(product, warehouse)
        oversold = max(0, run.successes - args.scarce_units)
        oversell.append(
            f"| {run.name} | {args.scarce_units} | {run.successes} | {run.refusals} | "
            f"{oversold} | {on_hand} | {ledger} |"
        )

    print(
        f"\nclients={args.clients} seconds={args.seconds} uvicorn workers={args.workers} {load}\n"
    )
    print(
        "| path | successful ops/s | p50 ms | p99 ms | done | refused | errors "
        "| server CPU ms/op | web | worker | client CPU ms/op | PostgreSQL CPU ms/op |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for run in (*baseline, api, raw):
        print(run.row(run.successes, run.refusals, run.errors, rate_format=",.0f"))
    print()
    for run in (*baseline, api):
        print(f"{run.name} / raw SQL throughput: {run.rate / raw.rate:.2f}")
    if baseline:
        print(f"server CPU per op, this / baseline: {harness.cpu_ratio(api, baseline[0])}")
    print("\n| path | stock | done | refused (409) | oversold | final on_hand | ledger sum |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(oversell))


if __name__ == "__main__":
    main()
