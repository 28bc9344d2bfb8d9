"""Replica drill: reports read the streaming replica, and still see every committed write.

    python deploy/ops/replica_drill.py      (make replica-drill; the staging stack)

Runs Stockyard's own report path (``core.replicas.report_reads`` around the inventory
valuation report) in this process with the environment's settings, which must name a
replica (``DATABASE_REPLICA_URL``: the staging stack's streaming standby, through
PgBouncer). In a throwaway warehouse (code ``RD<stamp>``), it:

1. ``ROUNDS`` times adjusts stock on the primary and at once runs the report: each must
   read the replica and count the adjustment; prints how long the reads waited for the
   replica to replay the primary's position;
2. pauses WAL replay on the standby (``pg_wal_replay_pause()``), adjusts stock, runs the
   report: it must wait ``DATABASE_REPLICA_MAX_WAIT`` and read the primary, and count the
   adjustment all the same;
3. resumes replay: the next report reads the replica again, and counts everything.

Exit status 1 if any report missed a write or read the wrong database. The throwaway
warehouse and product stay (stock movements reference them), deactivated.
"""

import os
import statistics
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import DEFAULT_DB_ALIAS, connections  # noqa: E402

from stockyard.catalog import services as catalog  # noqa: E402
from stockyard.core.replicas import REPLICA, report_reads  # noqa: E402
from stockyard.inventory import services as inventory  # noqa: E402
from stockyard.reporting.reports.registry import REPORTS  # noqa: E402

ROUNDS = 20
REPORT = REPORTS["inventory-valuation"]


def on_hand(warehouse_id: int) -> tuple[str, Decimal, float]:
    """The report's on-hand total for the warehouse, the database read, and the seconds
    that choosing it took (the wait for the replica)."""
    form = REPORT.params(data={"warehouse": warehouse_id})
    assert form.is_valid(), form.errors
    started = time.monotonic()
    with report_reads() as alias:
        chosen = time.monotonic() - started
        table = REPORT.run(form, row_limit=None)
        total = sum((Decimal(row["on_hand"]) for row in table.rows), Decimal(0))
    return alias, total, chosen


def main() -> int:
    if REPLICA not in connections:
        print("set DATABASE_REPLICA_URL (make staging writes it into var/staging/stockyard.env)")
        return 2
    stamp = datetime.now(UTC).strftime("%y%m%d%H%M%S")
    warehouse = inventory.warehouse_create(code=f"RD{stamp}", name=f"replica drill {stamp}")
    product = catalog.product_create(sku=f"RD{stamp}", name=f"replica drill {stamp}")
    expected = Decimal(0)
    failures = 0

    def adjust(quantity: int) -> None:
        nonlocal expected
        inventory.stock_adjust(
            product=product,
            warehouse=warehouse,
            quantity=Decimal(quantity),
            reason=f"replica drill {stamp}",
            unit_cost=Decimal("1.00"),
        )
        expected += quantity

    def check(phase: str, want: str) -> float:
        nonlocal failures
        alias, found, waited = on_hand(warehouse.pk)
        if alias != want or found != expected:
            failures += 1
            print(f"FAIL  {phase}: read {alias} (want {want}), on hand {found} (want {expected})")
        return waited

    waits = []
    for _ in range(ROUNDS):
        adjust(1)
        waits.append(check("caught up", REPLICA))
    print(
        f"{'PASS' if not failures else 'FAIL'}  {ROUNDS} adjustments each followed at once by "
        f"the report: replica read every time, each write counted; waited for the replica "
        f"median {statistics.median(waits) * 1000:.1f} ms, max {max(waits) * 1000:.1f} ms"
    )

    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        adjust(5)
        before = failures
        waited = check("replica paused", DEFAULT_DB_ALIAS)
        print(
            f"{'PASS' if failures == before else 'FAIL'}  replay paused: the report waited "
            f"{waited:.2f} s (DATABASE_REPLICA_MAX_WAIT {settings.DATABASE_REPLICA_MAX_WAIT:g} s), "
            f"then read the primary and counted the write"
        )
    finally:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")

    before = failures
    waited = check("replay resumed", REPLICA)
    print(
        f"{'PASS' if failures == before else 'FAIL'}  replay resumed: the replica again, "
        f"after {waited * 1000:.1f} ms, with all {expected} units"
    )
    inventory.warehouse_update(warehouse=warehouse, is_active=False)
    catalog.product_update(product=product, is_active=False)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
