"""Test helpers for real concurrency against PostgreSQL (used by the test suites)."""

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import connections
from django.http import HttpResponse

from stockyard.core.problems import PROBLEM_CONTENT_TYPE

T = TypeVar("T")


def run_concurrently(task: Callable[[int], T], count: int, *, timeout: float = 60) -> list[T]:
    """Run ``task(0..count-1)`` in ``count`` threads released at the same instant.

    Each thread has its own database connection (closed at the end), so the calls race
    for real row locks. Exceptions are returned in place of results, not raised.
    """
    barrier = threading.Barrier(count)

    def run(index: int) -> T:
        try:
            barrier.wait(timeout=timeout)
            return task(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(run, index) for index in range(count)]
        return [_outcome(future.result, future.exception, timeout) for future in futures]


def _outcome(
    result: Callable[[float], T], exception: Callable[[float], BaseException | None], timeout: float
) -> T:
    error = exception(timeout)
    return error if error is not None else result(timeout)  # type: ignore[return-value]


def assert_problem(response: HttpResponse, status: int, code: str) -> dict[str, Any]:
    """Check that ``response`` is the problem+json the contract names; return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:stockyard:problem:{code}"
    assert body["title"] and body["detail"]
    return body
