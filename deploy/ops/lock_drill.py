"""Lock drill: a migration that meets a held lock fails fast instead of stalling readers.

    python deploy/ops/lock_drill.py        (make lock-drill; the staging stack's database)

On a scratch copy of the database (backup + restore, ``<db>_lock_drill``), with
``events`` migrated back to ``0001_initial``: one connection holds an open transaction
that has read ``events_event`` (a slow report, say), a second reads that table in a loop
(the API), and ``manage.py migrate events`` needs ``ACCESS EXCLUSIVE`` on it. Run twice:
with ``MIGRATION_LOCK_TIMEOUT`` at its default the migration gives up within the timeout
and the readers stall at most that long; with the timeout off (``0``) the migration
queues behind the holder and every reader queues behind the migration until the holder
ends (``HOLD`` seconds). Prints both, then applies the migration once the lock is free.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backup import scratch_copy

ROOT = Path(__file__).resolve().parents[2]
HOLD = 12.0


def migrate_command(url: str, lock_timeout: str, *target: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": url, "MIGRATION_LOCK_TIMEOUT": lock_timeout}
    return subprocess.Popen(
        [sys.executable, "manage.py", "migrate", "events", *target, "--noinput"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = process.communicate()
    lines = output.strip().splitlines()
    return process.returncode, lines[-1] if lines else ""


def waiting_for_lock(admin: psycopg.Connection[Any]) -> bool:
    row = admin.execute(
        "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'events_event'::regclass"
    ).fetchone()
    return bool(row and row[0])


def attempt(url: str, lock_timeout: str) -> None:
    """The migration starts, finds the table held, and either gives up or waits ``HOLD``."""
    release, stop = threading.Event(), threading.Event()
    worst = [0.0]

    def hold() -> None:
        with psycopg.connect(url) as holder:
            holder.execute("SELECT count(*) FROM events_event")  # ACCESS SHARE until commit
            release.wait(60)

    def read() -> None:
        with psycopg.connect(url, autocommit=True) as reader:
            while not stop.is_set():
                started = time.monotonic()
                reader.execute("SELECT id FROM events_event ORDER BY id DESC LIMIT 1")
                worst[0] = max(worst[0], time.monotonic() - started)
                time.sleep(0.05)

    holder = threading.Thread(target=hold)
    holder.start()
    process = migrate_command(url, lock_timeout)
    reader = threading.Thread(target=read)
    with psycopg.connect(url, autocommit=True) as admin:
        while process.poll() is None and not waiting_for_lock(admin):
            time.sleep(0.05)
        waiting_since = time.monotonic()
        reader.start()
        while process.poll() is None and time.monotonic() - waiting_since < HOLD:
            time.sleep(0.05)
    release.set()
    code, last = finish(process)
    waited = time.monotonic() - waiting_since
    stop.set()
    reader.join()
    holder.join()
    outcome = "gave up" if code else "was applied"
    print(
        f"lock_timeout={lock_timeout:>3}: the migration waited {waited:.1f} s for the lock "
        f"and {outcome}; API reads stalled up to {worst[0]:.1f} s "
        f"(the lock was held {HOLD:.0f} s)"
    )
    if code:
        print(f"    {last}")


def main() -> int:
    url, _, _ = scratch_copy(ROOT / "var" / "backups", "lock_drill")
    code, last = finish(migrate_command(url, "5s", "0001_initial"))
    if code:
        sys.exit(f"could not migrate events back: {last}")
    timeout = os.environ.get("MIGRATION_LOCK_TIMEOUT", "5s")
    attempt(url, timeout)
    attempt(url, "0")
    code, last = finish(migrate_command(url, timeout))
    print(f"with the lock free: migrate events {'ok' if code == 0 else 'FAILED: ' + last}")
    return code


if __name__ == "__main__":
    sys.exit(main())
