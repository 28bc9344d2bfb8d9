"""What the benchmarks share: the database, Django, the API server, the clients and the
CPU accounting.

A benchmark script
1. names its database with ``bench_database`` (``DATABASE_URL``, else a default name on
   the local PostgreSQL; created if missing), then ``setup_django`` migrates it and makes
   the Django models usable for its fixtures (``bench_user`` makes a user with a role);
2. starts the API with ``api_server`` as production runs it: uvicorn on 127.0.0.1 with
   DEBUG off, LOG_LEVEL WARNING, throttles raised out of the way, a psycopg pool per
   worker, Redis (``BENCH_REDIS_URL``, default db 9) and a Celery worker; stopped on exit
   (``root`` serves another checkout of the project the same way, e.g. today's main for a
   before/after in one run). ``minimal_server`` serves the minimal-stack contender
   (``bench/minimal``: Django + DRF + simplejwt alone) the same way, on a database of its
   own; ``patience`` says how long a busy machine may take to start and to answer;
3. drives each contender with ``hammer``: N client threads calling ``attempt(client)`` in a
   loop until a deadline. ``attempt`` answers True (done), False (refused, e.g. no stock)
   or None (error); every attempt's latency is kept. The raw-SQL contender gets one
   psycopg connection per client from ``sql_connections``;
4. measures each contender in turn with ``measure``: warmed up if it is an API, then
   with a ``CpuMeter`` reading the CPU seconds the server, this process and the
   database's PostgreSQL backends spent (Linux ``/proc``), to say what limits a result.

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
MINIMAL_USER = "bench-minimal"


@dataclass(frozen=True)
class Patience:
    """How long a busy machine may take: the server to start answering ``/healthz`` (and
    a worker to stop), and one request to be answered (logins included), in seconds."""

    startup: float = 300.0
    request: float = 60.0


patience = Patience()  # ``parse_arguments`` applies the options


def parse_arguments(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """``parser``'s arguments (from ``argument_parser``), its patience applied."""
    global patience  # noqa: PLW0603
    args = parser.parse_args()
    patience = Patience(startup=args.startup_timeout, request=args.request_timeout)
    return args


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
    return _created(Database(os.environ.get("DATABASE_URL", f"{LOCAL_SERVER}/{default_name}")))


def bench_database_named(name: str, *, like: Database) -> Database:
    """The database ``name`` on ``like``'s server; created if missing."""
    return _created(Database(like.url.rsplit("/", 1)[0] + "/" + name))


def _created(database: Database) -> Database:
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
    worker: subprocess.Popen[bytes] | None
    base: str
    database: Database  # the one it serves

    def sessions(self, username: str, count: int) -> list[httpx.Client]:
        """``count`` HTTP clients (one per client thread) holding a token of ``username``."""
        token = httpx.post(
            f"{self.base}/api/v1/auth/token/",
            json={"username": username, "password": PASSWORD},
            timeout=patience.request,
        ).json()["access"]
        return [
            httpx.Client(
                base_url=self.base,
                headers={"Authorization": f"Bearer {token}"},
                timeout=patience.request,
            )
            for _ in range(count)
        ]


def _uvicorn(app: str, *, port: int, workers: int) -> list[str]:
    return [
        *(sys.executable, "-m", "uvicorn", app),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        *("--log-level", "warning", "--no-access-log"),
    ]


@contextmanager
def api_server(
    database: Database,
    *,
    port: int,
    workers: int,
    pool: int,
    redis_url: str = REDIS_URL,
    root: Path = ROOT,
) -> Iterator[Server]:
    """The API as production runs it: uvicorn on 127.0.0.1:``port`` with ``workers``
    processes, each with a psycopg pool of ``pool`` connections, Redis for the cache,
    the broker and the channel layer, and a Celery worker (which numbers the outbox
    events after each commit); all stopped when the block ends. ``root``: the checkout
    of the project to serve (this one by default)."""
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
    worker_command = [
        *(sys.executable, "-m", "celery", "-A", "config", "--quiet", "worker"),
        *("--pool", "solo", "--loglevel", "WARNING"),  # every queue the checkout declares
        "--without-heartbeat",
    ]
    subprocess.run(  # no tasks left over from an earlier run
        [sys.executable, "-m", "celery", "-A", "config", "purge", "-f"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    worker = subprocess.Popen(worker_command, cwd=root, env=env)
    command = _uvicorn("config.asgi:application", port=port, workers=workers)
    with _serving(command, database, root=root, env=env, port=port, worker=worker) as server:
        yield server


@contextmanager
def minimal_server(database: Database, *, port: int, workers: int, pool: int) -> Iterator[Server]:
    """The minimal-stack contender (``bench/minimal``) served as ``api_server`` serves the
    API (uvicorn, ``workers`` processes, a psycopg pool of ``pool`` each), on the database
    ``<database>_minimal`` (created, migrated, and given ``MINIMAL_USER`` in one group)."""
    own = bench_database_named(f"{database.name}_minimal", like=database)
    env = {
        **os.environ,
        "DATABASE_URL": own.url,
        "DJANGO_SETTINGS_MODULE": "bench.minimal.settings",
        "DATABASE_POOL_MAX_SIZE": str(pool),
    }
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.contrib.auth.models import Group, User\n"
        "call_command('migrate', verbosity=0)\n"
        f"if not User.objects.filter(username={MINIMAL_USER!r}).exists():\n"
        f"    user = User.objects.create_user({MINIMAL_USER!r}, password={PASSWORD!r})\n"
        "    user.groups.add(Group.objects.get_or_create(name='sales')[0])\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)
    command = _uvicorn("bench.minimal.asgi:application", port=port, workers=workers)
    with _serving(command, own, root=ROOT, env=env, port=port, worker=None) as server:
        yield server


@contextmanager
def _serving(
    command: list[str],
    database: Database,
    *,
    root: Path,
    env: dict[str, str],
    port: int,
    worker: subprocess.Popen[bytes] | None,
) -> Iterator[Server]:
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(command, cwd=root, env=env)
    running = [process] + ([worker] if worker else [])
    try:
        _wait_until_healthy(base, process)
        yield Server(process, worker, base, database)
    finally:
        for each in running:
            each.terminate()
        for each in running:
            try:
                each.wait(timeout=patience.startup)
            except subprocess.TimeoutExpired:
                each.kill()
                each.wait(timeout=30)


def _wait_until_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + patience.startup  # imports take a while on a busy machine
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=patience.request).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not start within {patience.startup:.0f} s")


# --- CPU accounting (Linux /proc) -------------------------------------------------------

CPU_GROUPS = ("server", "web", "worker", "client", "postgres")  # server = web + worker
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
    """CPU seconds of the server's web processes (uvicorn and its workers) and its Celery
    worker (together: *server*), of this benchmark's own process
    (the load generator and the raw-SQL client), and of the PostgreSQL backends serving
    ``database``."""

    def __init__(self, database: Database, server: "Server | None" = None) -> None:
        self.database = database
        self.web_pids = [server.process.pid] if server else []
        self.worker_pids = [server.worker.pid] if server and server.worker else []
        self.admin = psycopg.connect(database.maintenance_dsn, autocommit=True)

    def snapshot(self) -> CpuSnapshot:
        backends = self.admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database.name,)
        ).fetchall()
        web = [pid for main in self.web_pids for pid in (main, *_children(main))]
        worker = [pid for main in self.worker_pids for pid in (main, *_children(main))]
        return {
            "web": {pid: _cpu_of(pid) for pid in web},
            "worker": {pid: _cpu_of(pid) for pid in worker},
            "client": {os.getpid(): time.process_time()},
            "postgres": {pid: _cpu_of(pid) for (pid,) in backends},
        }

    def close(self) -> None:
        self.admin.close()


def cpu_used(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float]:
    """CPU seconds spent between two snapshots (processes that appeared count in full)."""
    used = {
        who: sum(seconds - before[who].get(pid, 0.0) for pid, seconds in after[who].items())
        for who in after
        if after[who]
    }
    if "web" in used:
        used["server"] = used["web"] + used.get("worker", 0.0)
    return used


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


def measure(
    name: str,
    attempt: Attempt,
    *,
    clients: int,
    seconds: float,
    database: Database,
    server: Server | None = None,
    warm_up: bool = False,
) -> Run:
    """One contender for ``seconds`` with its CPU measured: ``server``'s processes (none
    for raw SQL: the servers sit idle or are stopped then), this process, and the
    PostgreSQL backends of ``database``. ``warm_up``: first hammer it unmeasured for
    ``WARM_UP_SECONDS`` (imports, connection pools and first-request work are not what is
    compared)."""
    if warm_up:
        hammer("warm-up", clients, WARM_UP_SECONDS, attempt)
    with closing(CpuMeter(database, server)) as meter:
        return hammer(name, clients, seconds, attempt, cpu=meter)


def cpu_ratio(run: Run, other: Run, who: str = "server") -> str:
    """``run``'s CPU of ``who`` per success over ``other``'s, as ``0.00x``."""
    mine = run.cpu.get(who, 0.0) / max(run.successes, 1)
    theirs = other.cpu.get(who, 0.0) / max(other.successes, 1)
    return f"{mine / theirs:.2f}x" if theirs else "-"


def revision(root: Path) -> str:
    """The short commit id checked out in ``root``."""
    return subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


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
    parser.add_argument("--port", type=int, default=port, help="the API's; the minimal stack's +1")
    parser.add_argument(
        "--baseline-root",
        type=Path,
        help="another checkout of the project (e.g. a worktree of main): its API is measured\n"
        "too, in the same run, on the same database (its migrations must match)",
    )
    parser.add_argument(
        "--startup-timeout",
        type=float,
        default=Patience.startup,
        help="seconds a server may take to start (a busy machine is slow to import Django)",
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=Patience.request,
        help="seconds one request may take (logins included) before it counts as an error",
    )
    return parser


def machine() -> str:
    """What else shares the result: cores and the load average before the run."""
    return f"cores={os.cpu_count()} load average at start={os.getloadavg()[0]:.1f}"
