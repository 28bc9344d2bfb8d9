"""Liveness and readiness probes, and the heartbeat that shows the beat scheduler is alive.

``/healthz`` touches nothing. ``/readyz`` answers 503 when the database, the cache, the
broker (unless tasks run inline) is unreachable, or when migrations on disk are not yet
applied to the database (a new release waiting for its migrate step). Its body also
reports when the beat scheduler last ticked (``beat``), which does not change the status:
a stopped scheduler must not take web servers out of rotation.
"""

import functools
from collections.abc import Callable

import structlog
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

logger = structlog.get_logger(__name__)

BEAT_HEARTBEAT_KEY = "stockyard:beat-heartbeat"


class NotReady(Exception):
    """A readiness check failed for a reason safe to show (no hosts, no credentials)."""


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


@functools.cache
def _migration_leaves() -> frozenset[tuple[str, str]]:
    """The newest migration of each app as on disk: fixed for the life of the process."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def _check_migrations() -> None:
    applied = MigrationRecorder(connection).applied_migrations()
    unapplied = sorted(f"{app}.{name}" for app, name in _migration_leaves() - applied.keys())
    if unapplied:
        raise NotReady(f"unapplied migrations: {', '.join(unapplied)}")


def _check_cache() -> None:
    cache.set("readyz", "ok", timeout=5)
    if cache.get("readyz") != "ok":
        raise RuntimeError("cache did not return the value it was given")


def _check_broker() -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _checks() -> dict[str, Callable[[], None]]:
    checks = {
        "database": _check_database,
        "migrations": _check_migrations,
        "cache": _check_cache,
    }
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = _check_broker
    return checks


def beat_heartbeat_stamp() -> None:
    """Record that the beat scheduler's periodic heartbeat task just ran (now, UTC)."""
    cache.set(BEAT_HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


def _beat_last_seen() -> str | None:
    try:
        stamp = cache.get(BEAT_HEARTBEAT_KEY)
    except Exception:  # the cache check already reports an unreachable cache
        return None
    return str(stamp) if stamp else None


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 ``{"status": "ok", "checks": {name: "ok"}, "beat": {"last_seen": ISO 8601|null}}``,
    or 503 with ``"status": "unavailable"`` and ``"failed: <reason>"`` for each failing check.
    """
    results: dict[str, str] = {}
    for name, check in _checks().items():
        try:
            check()
        except NotReady as exc:
            results[name] = f"failed: {exc}"
        except Exception as exc:
            logger.warning("readiness_check_failed", check=name, error=str(exc))
            results[name] = f"failed: {type(exc).__name__}"
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": results,
            "beat": {"last_seen": _beat_last_seen()},
        },
        status=200 if ready else 503,
    )
