"""What the benchmarks share: the database, Django, the API server, the clients and the
CPU accounting.

A benchmark script
1. names its database with ``bench_database`` (``DATABASE_URL``, else a default name on
   the local PostgreSQL; created if missing), then ``setup_django`` migrates it and makes
   the Django models usable for its fixtures (``bench_user`` makes a user with a role);
2. starts the API with ``api_server`` as production runs it: uvicorn on 127.0.0.1 with
   DEBUG off, LOG_LEVEL WARNING, throttles raised out of the way, a psycopg pool per
   worker, Redis (``BENCH_REDIS_URL``, default db 9) and a Celery worker; stopped on exit;
3. drives each contender with ``hammer``: N client threads calling ``attempt(client)`` in a
   loop until a deadline. ``attempt`` answers True (done), False (refused, e.g. no stock)
   or None (error); every attempt's latency is kept. The raw-SQL contender gets one
   psycopg connection per client from ``sql_connections``;
4. compares them with ``api_against_raw``: the API warmed up, then each contender (and
   optionally a *floor*: the HTTP stack doing no business work) in turn with a
   ``CpuMeter`` reading the CPU seconds the server, this process and the database's
   PostgreSQL backends spent (Linux ``/proc``), to say what limits a result.

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
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent  # the project: Django runs from here

PASSWORD = "bench-password-123"
THROTTLE_RATES = "anon=1000000/minute,user=1000000/minute,auth=1000/minute"
LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")  # the server's
WARM_UP_SECONDS = 2.0


# --- the database and Django ------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    url: str  # as Django reads it: postgres://user@host:port/name

    @property
    def dsn(self) -> str:
        """The same database for psycopg."""
        return self.url.replace("postgres://", "postgresql://", 1)

    @property
    def name(self) -> str:
        return self.dsn.rsplit("/", 1)[1]

    @property
    def maintenance_dsn(self) -> str:
        """The server's ``postgres`` database, for creating databases and reading activity."""
        return self.dsn.rsplit("/", 1)[0] + "/postgres"


def bench_database(default_name: str) -> Database:
    """``DATABASE_URL``, else ``default_name`` on the local server; created if missing."""
    database = Database(os.environ.get("DATABASE_URL", f"{LOCAL_SERVER}/{default_name}"))
    with psycopg.connect(database.maintenance_dsn, autocommit=True) as admin:
        found = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database.name,)
        ).fetchone()
        if not found:
            admin.execute(f'CREATE DATABASE "{database.name}"')
    return database


def setup_django(database: Database) -> None:
    """Configure Django on ``database`` and migrate it, so fixtures can use the services."""
    os.environ["DATABASE_URL"] = database.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def bench_user(username: str, role: str) -> None:
    """A user with ``role`` and the bench password, made once."""
    from stockyard.accounts.models import User
    from stockyard.accounts.roles import Role
    from stockyard.accounts.services import user_create

    if not User.objects.filter(username=username).exists():
        user_create(username=username, password=PASSWORD, roles=[Role(role)])


# --- the API server ---------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]
    base: str

    @property
    def pids(self) -> list[int]:
        """uvicorn's and the Celery worker's main processes (their children count too)."""
        return [self.process.pid, self.worker.pid]

    def sessions(self, username: str, count: int) -> list[httpx.Client]:
        """``count`` HTTP clients (one per client thread) holding a token of ``username``."""
        token = httpx.post(
            f"{self.base}/api/v1/auth/token/", json={"username": username, "password": PASSWORD}
        ).json()["access"]
        return [
            httpx.Client(
                base_url=self.base, headers={"Authorization": f"Bearer {token}"}, timeout=30
            )
            for _ in range(count)
        ]


@contextmanager
def api_server(
    database: Database, *, port: int, workers: int, pool: int, redis_url: str = REDIS_URL
) -> Iterator[Server]:
    """The API as production runs it: uvicorn on 127.0.0.1:``port`` with ``workers``
    processes, each with a psycopg pool of ``pool`` connections, Redis for the cache,
    the broker and the channel layer, and a Celery worker (which numbers the outbox
    events after each commit); all stopped when the block ends."""
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "THROTTLE_RATES": THROTTLE_RATES,
        "DATABASE_POOL_MAX_SIZE": str(pool),
    }
    command = [
        *(sys.executable, "-m", "uvicorn", "config.asgi:application"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        *("--log-level", "warning", "--no-access-log"),
    ]
    worker_command = [
        *(sys.executable, "-m", "celery", "-A", "config", "--quiet", "worker"),
        *("--pool", "solo", "--loglevel", "WARNING", "--without-heartbeat"),
    ]
    base = f"http://127.0.0.1:{port}"
    subprocess.run(  # no tasks left over from an earlier run
        [sys.executable, "-m", "celery", "-A", "config", "purge", "-f"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    worker = subprocess.Popen(worker_command, cwd=ROOT, env=env)
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _wait_until_healthy(base, process)
        yield Server(process, worker, base)
    finally:
        for running in (process, worker):
            running.terminate()
        for running in (process, worker):
            try:
                running.wait(timeout=30)
            except subprocess.TimeoutExpired:
                running.kill()
                running.wait(timeout=10)


def _wait_until_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120  # Django's imports take a while on a busy machine
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start")


# --- CPU accounting (Linux /proc) -------------------------------------------------------

CPU_GROUPS = ("server", "client", "postgres")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
CpuSnapshot = dict[str, dict[int, float]]  # group -> pid -> CPU seconds so far


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


class CpuMeter:
    """CPU seconds of the server (uvicorn and its workers, the Celery worker), of this
    benchmark's own process
    (the load generator and the raw-SQL client), and of the PostgreSQL backends serving
    ``database``."""

    def __init__(self, database: Database, server_pids: list[int] | None = None) -> None:
        self.database = database
        self.server_pids = server_pids or []
        self.admin = psycopg.connect(database.maintenance_dsn, autocommit=True)

    def snapshot(self) -> CpuSnapshot:
        backends = self.admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database.name,)
        ).fetchall()
        server = [pid for main in self.server_pids for pid in (main, *_children(main))]
        return {
            "server": {pid: _cpu_of(pid) for pid in server},
            "client": {os.getpid(): time.process_time()},
            "postgres": {pid: _cpu_of(pid) for (pid,) in backends},
        }

    def close(self) -> None:
        self.admin.close()


def cpu_used(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float]:
    """CPU seconds spent between two snapshots (processes that appeared count in full)."""
    return {
        who: sum(seconds - before[who].get(pid, 0.0) for pid, seconds in after[who].items())
        for who in after
        if after[who]
    }


# --- the client loop --------------------------------------------------------------------

Attempt = Callable[[int], bool | None]
"""``attempt(client)`` → True (done), False (refused), None (error)."""


@dataclass
class Run:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, every attempt
    successes: int = 0
    refusals: int = 0
    errors: int = 0
    elapsed: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by group

    @property
    def rate(self) -> float:
        """Successes per second."""
        return self.successes / self.elapsed if self.elapsed else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies or [0.0]) * 1000

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies) or [0.0]
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000

    def cpu_ms_per_success(self, who: str) -> str:
        """CPU milliseconds of ``who`` per success, or ``-`` when not measured."""
        if who not in self.cpu:
            return "-"
        return f"{self.cpu[who] / max(self.successes, 1) * 1000:.1f}"

    def row(self, *counts: object, rate_format: str = ",.1f") -> str:
        """A Markdown table row: name, rate, p50 and p99 in ms, ``counts``, then the CPU
        milliseconds per success of each group in ``CPU_GROUPS``."""
        cells = [
            self.name,
            format(self.rate, rate_format),
            f"{self.p50_ms:.1f}",
            f"{self.p99_ms:.1f}",
            *counts,
            *(self.cpu_ms_per_success(who) for who in CPU_GROUPS),
        ]
        return "| " + " | ".join(str(cell) for cell in cells) + " |"


def hammer(
    name: str, clients: int, seconds: float, attempt: Attempt, *, cpu: CpuMeter | None = None
) -> Run:
    """``clients`` threads call ``attempt`` in a loop for ``seconds``, starting together."""
    run = Run(name)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = 0.0

    def client(index: int) -> None:
        start.wait()
        while time.monotonic() < deadline:
            began = time.perf_counter()
            outcome = attempt(index)
            took = time.perf_counter() - began
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
    before = cpu.snapshot() if cpu else None
    deadline = time.monotonic() + seconds
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    run.elapsed = time.monotonic() - began
    if cpu and before:
        run.cpu = cpu_used(before, cpu.snapshot())
    return run


def api_against_raw(
    database: Database,
    server: Server,
    *,
    clients: int,
    seconds: float,
    api: tuple[str, Attempt],
    raw: tuple[str, Attempt],
    floor: tuple[str, Attempt] | None = None,
) -> tuple[Run, Run, Run | None]:
    """The contenders, named, one after the other with their CPU measured (the raw run
    without the server, which sits idle then). The API is warmed up first, unmeasured:
    imports, connection pools and first-request work are not what is compared.

    ``floor``, if given, is an API contender doing the least any API answer must do
    (authenticated requests that touch no business data): the ceiling of the HTTP stack
    itself on this machine, whatever the endpoints do."""
    (api_name, api_attempt), (raw_name, raw_attempt) = api, raw
    hammer("warm-up", clients, WARM_UP_SECONDS, api_attempt)
    with closing(CpuMeter(database, server.pids)) as meter:
        api_run = hammer(api_name, clients, seconds, api_attempt, cpu=meter)
    floor_run = None
    if floor is not None:
        with closing(CpuMeter(database, server.pids)) as meter:
            floor_run = hammer(floor[0], clients, seconds, floor[1], cpu=meter)
    with closing(CpuMeter(database)) as meter:
        raw_run = hammer(raw_name, clients, seconds, raw_attempt, cpu=meter)
    return api_run, raw_run, floor_run


@contextmanager
def sql_connections(database: Database, count: int) -> Iterator[list[psycopg.Connection]]:
    """``count`` psycopg connections (one per client thread), closed when the block ends."""
    connections = [psycopg.connect(database.dsn) for _ in range(count)]
    try:
        yield connections
    finally:
        for connection in connections:
            connection.close()


def argument_parser(doc: str | None, *, seconds: float, port: int) -> argparse.ArgumentParser:
    """The options every benchmark takes; a script adds its own."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=seconds, help="per contender")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=port)
    return parser


def machine() -> str:
    """What else shares the result: cores and the load average before the run."""
    return f"cores={os.cpu_count()} load average at start={os.getloadavg()[0]:.1f}"
