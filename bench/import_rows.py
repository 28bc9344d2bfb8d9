"""Import benchmark: a CSV or XLSX file of N new products (default 100,000) through
``import_data``, the same code path as ``POST /api/v1/imports/`` minus the upload: wall
time, the process's CPU time (user + system: on a shared machine, the number that does
not depend on the load), the database's share of the wall time, and the peak memory
before and after.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockyard_bench \\
        python3 -m uv run python bench/import_rows.py --rows 100000 --format xlsx

Run it against a database you can throw away (the products stay; re-runs use new SKUs).
The file is written to a temporary directory and read back by the importer, row by row.
``DEBUG`` is off unless set, as in production: with it on, Django keeps every query's
SQL and time, which costs CPU per query.
"""

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("DEBUG", "false")

COLUMNS = ["sku", "name", "description", "price", "cost", "unit", "reorder_point"]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def product_rows(rows: int, prefix: str) -> Iterator[list[object]]:
    for n in range(rows):
        yield [
            f"{prefix}-{n:07d}",
            f"Benchmark product {n}",
            "bench",
            f"{n % 500 + 1}.99",
            f"{n % 500}.50",
            "pcs",
            5,
        ]


def write_file(path: Path, rows: int, prefix: str) -> None:
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)  # streams rows to disk as well
        sheet = workbook.create_sheet()
        sheet.append(COLUMNS)
        for row in product_rows(rows, prefix):
            sheet.append(row)
        workbook.save(path)
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(product_rows(rows, prefix))


class DatabaseTime:
    """Wall time spent in the database driver's ``execute`` (round trips included)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"products.{args.format}"
        write_file(path, args.rows, f"B{int(time.time())}")
        size_mib = path.stat().st_size / 2**20
        before = peak_mib()
        database = DatabaseTime()
        cpu_started, started = cpu_seconds(), time.perf_counter()
        with connection.execute_wrapper(database):
            call_command("import_data", "products", str(path), dry_run=args.dry_run)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_started
    print(
        f"rows={args.rows} format={args.format} file={size_mib:.1f} MiB "
        f"wall={seconds:.1f} s ({args.rows / seconds:.0f} rows/s) "
        f"cpu={cpu:.1f} s ({cpu / args.rows * 1000:.2f} ms/row) "
        f"database={database.seconds:.1f} s in {database.queries} queries "
        f"({database.queries / args.rows:.1f}/row) "
        f"peak RSS before={before:.0f} MiB after={peak_mib():.0f} MiB"
    )


if __name__ == "__main__":
    main()
