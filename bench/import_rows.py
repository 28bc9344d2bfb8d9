"""Import benchmark: a CSV of N new products (default 100,000) through ``import_data``,
the same code path as ``POST /api/v1/imports/`` minus the upload, timed, with the
process's peak memory before and after.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockyard_bench \\
        python3 -m uv run python bench/import_rows.py --rows 100000

Run it against a database you can throw away (the products stay; re-runs use new SKUs).
The file is written to a temporary directory and read back by the importer, row by row.
"""

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_file(path: Path, rows: int, prefix: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "name", "description", "price", "cost", "unit", "reorder_point"])
        for n in range(rows):
            writer.writerow(
                [
                    f"{prefix}-{n:07d}",
                    f"Benchmark product {n}",
                    "bench",
                    f"{n % 500 + 1}.99",
                    f"{n % 500}.50",
                    "pcs",
                    5,
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "products.csv"
        write_file(path, args.rows, f"B{int(time.time())}")
        size_mib = path.stat().st_size / 2**20
        before = peak_mib()
        started = time.perf_counter()
        call_command("import_data", "products", str(path), dry_run=args.dry_run)
        seconds = time.perf_counter() - started
    print(
        f"rows={args.rows} file={size_mib:.1f} MiB time={seconds:.1f} s "
        f"({args.rows / seconds:.0f} rows/s) peak RSS before={before:.0f} MiB "
        f"after={peak_mib():.0f} MiB"
    )


if __name__ == "__main__":
    main()
