"""What the audit trail costs a write: order create + confirm with and without it.

Places a 3-line sales order and confirms it through the services, in one process and one
connection (no HTTP, no other clients: the difference is the audit trail's alone), in
alternating rounds:
  * **tracked**: as a request runs it, inside an audit context (user and request id
    sent with each statement) with the history triggers writing event rows;
  * **untracked**: no context, and the session's triggers off
    (``session_replication_role = replica``), as if the trail did not exist.
Prints the median milliseconds per order of each and the event rows one order writes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockyard_audit_bench \\
        python3 -m uv run python bench/audit_overhead.py --orders 200

The database is created if missing and migrated; PostgreSQL superuser rights are needed
for ``session_replication_role``.
"""

import argparse
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file: find bench
from bench import harness
from bench.order_placement import LINES, prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200, help="orders per mode")
    parser.add_argument("--rounds", type=int, default=4, help="alternations of the modes")
    args = parser.parse_args()

    harness.setup_django(harness.bench_database("stockyard_audit_bench"))
    from decimal import Decimal

    from django.db import connection

    from stockyard.audit.context import audit_context
    from stockyard.catalog.models import Product
    from stockyard.inventory.models import Warehouse
    from stockyard.partners.models import Customer
    from stockyard.sales import services
    from stockyard.sales.services import OrderLineInput

    fixture = prepare(product_count=50)
    customer = Customer.objects.get(pk=fixture.customer)
    warehouse = Warehouse.objects.get(pk=fixture.warehouse)
    products = list(Product.objects.filter(pk__in=fixture.products[: LINES * 10]))

    def place(index: int) -> None:
        lines = [
            OrderLineInput(products[(index + n) % len(products)], Decimal(1)) for n in range(LINES)
        ]
        order = services.sales_order_create(
            customer=customer, warehouse=warehouse, lines=lines, user=None
        )
        services.sales_order_confirm(order=order, user=None)

    def events_written() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_value FROM audit_event_id_seq")
            return int(cursor.fetchone()[0])

    timings: dict[str, list[float]] = {"tracked": [], "untracked": []}
    events_before, tracked_orders = events_written(), 0
    for round_ in range(args.rounds):
        for mode in ("tracked", "untracked") if round_ % 2 == 0 else ("untracked", "tracked"):
            with connection.cursor() as cursor:
                role = "replica" if mode == "untracked" else "origin"
                cursor.execute(f"SET session_replication_role = {role}")
            context = (
                audit_context(user=None, request_id="bench") if mode == "tracked" else nullcontext()
            )
            with context:
                for index in range(args.orders // args.rounds):
                    started = time.perf_counter()
                    place(index)
                    timings[mode].append((time.perf_counter() - started) * 1000)
            tracked_orders += args.orders // args.rounds if mode == "tracked" else 0
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")
    per_order = (events_written() - events_before) / max(tracked_orders, 1)

    tracked, untracked = (statistics.median(timings[mode]) for mode in ("tracked", "untracked"))
    print(harness.machine())
    print(f"orders per mode: {len(timings['tracked'])} (3 lines each), create + confirm")
    print(f"untracked: {untracked:.2f} ms/order (median)")
    print(f"tracked:   {tracked:.2f} ms/order (median), {per_order:.0f} event rows per order")
    print(f"overhead:  {tracked - untracked:+.2f} ms/order ({tracked / untracked - 1:+.0%})")


if __name__ == "__main__":
    main()
