"""Back up and restore Stockyard's database and media, and drill the restore.

    python deploy/ops/backup.py backup  [--dir var/backups]
    python deploy/ops/backup.py restore <backup dir> --into <database URL>
    python deploy/ops/backup.py drill   [--dir var/backups]

Source: ``BACKUP_DATABASE_URL`` (default ``DATABASE_MIGRATE_URL``, then ``DATABASE_URL``:
straight to PostgreSQL, not through PgBouncer) and ``MEDIA_ROOT``. A backup is a folder
``<UTC stamp>/`` with ``db.dump`` (``pg_dump -Fc``), ``media.tar.gz`` and ``manifest.json``
(the row count of every table, counted in the same snapshot that ``pg_dump`` dumps, and
the applied migrations). ``restore`` refuses a database that already has tables. ``drill``
backs up, restores into a new empty database on the same server, and checks that the
restored copy agrees: ``check_stock_ledger`` passes, ``migrate --check`` finds nothing to
do, and every table's row count equals the manifest's. Prints the timings.
"""

import argparse
import json
import os
import subprocess
import sys
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]

COUNT_TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname
"""


def source_url() -> str:
    for name in ("BACKUP_DATABASE_URL", "DATABASE_MIGRATE_URL", "DATABASE_URL"):
        if os.environ.get(name):
            return os.environ[name]
    sys.exit("set BACKUP_DATABASE_URL (or DATABASE_URL) to the database to back up")


def media_root() -> Path:
    return Path(os.environ.get("MEDIA_ROOT", ROOT / "var" / "media"))


def row_counts(connection: psycopg.Connection[Any]) -> dict[str, int]:
    tables = [name for (name,) in connection.execute(COUNT_TABLES).fetchall()]
    counts = {}
    for table in tables:
        row = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


def backup(directory: Path) -> Path:
    url, media = source_url(), media_root()
    target = directory / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target.mkdir(parents=True)
    started = time.monotonic()
    # One snapshot for the dump and the counts: they describe the same instant.
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot_row = connection.execute("SELECT pg_export_snapshot()").fetchone()
        assert snapshot_row is not None
        subprocess.run(
            ["pg_dump", "-Fc", f"--snapshot={snapshot_row[0]}", "-f", str(target / "db.dump"), url],
            check=True,
        )
        counts = row_counts(connection)
        migrations = [
            f"{app}.{name}"
            for app, name in connection.execute(
                "SELECT app, name FROM django_migrations ORDER BY id"
            ).fetchall()
        ]
        connection.execute("COMMIT")
    with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "database": urlsplit(url).path.lstrip("/"),
        "row_counts": counts,
        "migrations": migrations,
        "seconds": round(time.monotonic() - started, 2),
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2))
    size = sum(f.stat().st_size for f in target.iterdir())
    print(
        f"backup {target}: {sum(counts.values())} rows in {len(counts)} tables, "
        f"{size / 1e6:.1f} MB, {manifest['seconds']} s"
    )
    return target


def restore(source: Path, into: str, media_root: Path) -> float:
    started = time.monotonic()
    with psycopg.connect(into, autocommit=True) as connection:
        if row_counts(connection):
            sys.exit(f"refusing to restore into {urlsplit(into).path}: it already has tables")
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", into, str(source / "db.dump")],
        check=True,
    )
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / "media.tar.gz") as archive:
        for member in archive.getmembers():  # stored as media/<path>
            member.name = member.name.removeprefix("media").lstrip("/") or "."
            archive.extract(member, media_root, filter="data")
    seconds = round(time.monotonic() - started, 2)
    print(f"restored {source.name} into {urlsplit(into).path.lstrip('/')} in {seconds} s")
    return seconds


def manage(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def scratch_copy(directory: Path, suffix: str) -> tuple[str, dict[str, Any], float]:
    """Back up the source and restore it into a new database ``<name>_<suffix>`` on the
    same server: its URL, the backup's manifest and the restore's seconds."""
    made = backup(directory)
    manifest = json.loads((made / "manifest.json").read_text())
    parts = urlsplit(source_url())
    name = f"{manifest['database']}_{suffix}"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(parts._replace(path=f"/{name}"))
    return url, manifest, restore(made, url, media_root=directory / f"{suffix}-media")


def drill(directory: Path) -> bool:
    drill_url, manifest, seconds = scratch_copy(directory, "restore_drill")
    with psycopg.connect(drill_url) as connection:
        counts = row_counts(connection)
    checks = {
        "ledger": manage(drill_url, "check_stock_ledger"),
        "migrate --check": manage(drill_url, "migrate", "--check"),
    }
    ok = True
    for label, result in checks.items():
        passed = result.returncode == 0
        ok &= passed
        output = (result.stdout + result.stderr).strip().splitlines()
        print(f"{'PASS' if passed else 'FAIL'}  {label}: {output[-1] if output else ''}")
    differing = {
        table: (manifest["row_counts"].get(table), counts.get(table))
        for table in set(counts) | set(manifest["row_counts"])
        if counts.get(table) != manifest["row_counts"].get(table)
    }
    ok &= not differing
    print(
        f"{'FAIL' if differing else 'PASS'}  row counts: {len(counts)} tables, "
        f"{sum(counts.values())} rows" + (f", differing {differing}" if differing else " agree")
    )
    print(
        f"drill: backup {manifest['seconds']} s, restore {seconds} s "
        f"({'all agree' if ok else 'FAILED'})"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for command in ("backup", "drill"):
        sub.add_parser(command).add_argument("--dir", type=Path, default=ROOT / "var" / "backups")
    restore_parser = sub.add_parser("restore")
    restore_parser.add_argument("backup", type=Path)
    restore_parser.add_argument("--into", required=True, help="URL of an empty database")
    args = parser.parse_args()
    if args.command == "backup":
        backup(args.dir)
    elif args.command == "restore":
        restore(args.backup, args.into, media_root=media_root())
    else:
        return 0 if drill(args.dir) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
