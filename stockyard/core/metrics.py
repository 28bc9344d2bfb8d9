"""Prometheus metrics at ``GET /metrics``: requests by method, view and status, and
their latency by method and view, and whatever collectors apps register
(``register_collector``: business and health gauges, see ``integrations.metrics``).

Labels name the route (the URL pattern's view name), never the raw path, so ids in URLs
cannot multiply the series. One process serves its own counters; several worker
processes share theirs when ``PROMETHEUS_MULTIPROC_DIR`` names an empty directory,
set before the server starts (prometheus_client's multiprocess mode).
"""

import os
import time

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import Collector

from stockyard.core.middleware import SyncAndAsyncMiddleware

REQUESTS = Counter(
    "stockyard_http_requests",
    "HTTP requests answered, by method, view and status.",
    ["method", "view", "status"],
)
LATENCY = Histogram(
    "stockyard_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and view.",
    ["method", "view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
UNMATCHED = "unmatched"  # no URL pattern: 404s for made-up paths share one series


class MetricsMiddleware(SyncAndAsyncMiddleware):
    def handle(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        return _count(request, self.get_response(request), started)

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        return _count(request, await self.get_response(request), started)


def _count(request: HttpRequest, response: HttpResponse, started: float) -> HttpResponse:
    match = request.resolver_match
    view = match.view_name if match is not None else UNMATCHED
    method = request.method or ""
    REQUESTS.labels(method, view, str(response.status_code)).inc()
    LATENCY.labels(method, view).observe(time.perf_counter() - started)
    return response


_COLLECTORS: list[Collector] = []


def register_collector(collector: Collector) -> None:
    """Add ``collector`` to what ``/metrics`` shows: gauges an app computes at scrape time
    (from the database, say), the same from whichever process answers."""
    _COLLECTORS.append(collector)
    REGISTRY.register(collector)


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    for collector in _COLLECTORS:
        registry.register(collector)
    return registry


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
