"""``make fuzz``: Schemathesis against a throwaway server, to keep bad input from ever
answering 5xx and every answer within the OpenAPI schema.

1. creates a throwaway PostgreSQL database (``stockyard_fuzz_<pid>`` on ``FUZZ_SERVER``,
   default the local server), migrates it and loads the demo data (so ids in paths hit
   real objects), and makes a throwaway admin with a random password;
2. starts the API as production runs it (uvicorn on 127.0.0.1, DEBUG off, Redis, a
   Celery worker; see ``bench/harness.py``) on ``--port``;
3. runs ``st run`` on ``/api/schema/`` as that admin with the checks
   ``not_a_server_error`` (no 5xx), ``status_code_conformance`` and
   ``content_type_conformance`` (every status and content type is documented) and
   ``response_schema_conformance`` (bodies match their schemas);
4. stops the server and drops the database, whatever happened.
Exits with Schemathesis' status: 0 when no check failed.

    python3 -m uv run python scripts/fuzz.py                    # make fuzz
    python3 -m uv run python scripts/fuzz.py --max-examples 5 --phases examples,coverage
    python3 -m uv run python scripts/fuzz.py --max-time 90               # CI (.ci/run)

Loopback only. Operations that would end the run's own session (logout, user edits)
are left out; see docs/fuzzing.md.
"""

import argparse
import os
import secrets
import subprocess
import sys
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file: find bench
from bench import harness

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
# Operations whose success would end the run's own session or identity.
EXCLUDED_OPERATIONS = (
    "auth_logout_create",
    "users_update",
    "users_partial_update",
    "users_destroy",
)
ADMIN = "fuzz-admin"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("FUZZ_PORT", "8765")))
    parser.add_argument("--max-examples", type=int, default=20, help="cases per operation")
    parser.add_argument("--phases", default="examples,coverage,fuzzing")
    parser.add_argument("--seed", type=int, default=None, help="repeat a run exactly")
    # One worker: with two, Schemathesis' threads parse lambdas with ``ast`` at once, and
    # CPython 3.11's AST converter keeps one recursion counter for all threads
    # (python/cpython#106905), so a run can die with "AST constructor recursion depth
    # mismatch" in Hypothesis' code, not ours. Fuzzing is time-bounded: one worker runs
    # fewer cases in the same budget, never a different verdict.
    parser.add_argument("--workers", default="1", help="Schemathesis' concurrent workers")
    parser.add_argument(
        "--max-time",
        type=int,
        default=None,
        help="seconds for Schemathesis' whole run (fuzzing repeats until they are spent)",
    )
    args = parser.parse_args()

    server = os.environ.get("FUZZ_SERVER", harness.LOCAL_SERVER)
    database = harness.Database(f"{server}/stockyard_fuzz_{os.getpid()}")
    with psycopg.connect(database.maintenance_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database.name}"')
    try:
        return fuzz(database, args)
    finally:
        with psycopg.connect(database.maintenance_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')


def fuzz(database: harness.Database, args: argparse.Namespace) -> int:
    password = secrets.token_urlsafe(24)
    os.environ["JWT_ACCESS_MINUTES"] = "240"  # one token lasts the whole run
    harness.setup_django(database)
    from django.core.management import call_command

    from stockyard.accounts.roles import Role
    from stockyard.accounts.services import user_create

    call_command("seed_demo", verbosity=0)
    user_create(username=ADMIN, password=password, roles=[Role.ADMIN])

    redis_url = os.environ.get("REDIS_URL", harness.REDIS_URL)
    with harness.api_server(
        database, port=args.port, workers=1, pool=8, redis_url=redis_url
    ) as running:
        token = httpx.post(
            f"{running.base}/api/v1/auth/token/",
            json={"username": ADMIN, "password": password},
            timeout=60,
        ).json()["access"]
        command = [
            str(Path(sys.executable).parent / "st"),
            *("run", f"{running.base}/api/schema/"),
            *("--checks", ",".join(CHECKS)),
            *("--header", f"Authorization: Bearer {token}"),
            *("--phases", args.phases, "--max-examples", str(args.max_examples)),
            *("--workers", args.workers, "--request-timeout", "40"),
            *(
                arg
                for operation in EXCLUDED_OPERATIONS
                for arg in ("--exclude-operation-id", operation)
            ),
            *(("--seed", str(args.seed)) if args.seed is not None else ()),
            *(("--max-time", str(args.max_time)) if args.max_time is not None else ()),
            "--no-color",
        ]
        return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
