"""Sentry, driven for real: a settings module with SENTRY_DSN pointing at a local
collector, a crashing request, and what the SDK sent."""

import gzip
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CARD = "4111 1111 1111 1111"
CRASH = f"""
import django
django.setup()
import sentry_sdk
from django.test import Client, override_settings

with override_settings(ROOT_URLCONF="stockyard.core.tests.urls", ALLOWED_HOSTS=["*"]):
    response = Client().post(
        "/api/v1/test/crash/", {{"bank_account": "{CARD}"}}, content_type="application/json"
    )
sentry_sdk.flush(timeout=10)
print(response.status_code)
"""


class _Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[bytes]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    _Collector.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://public@127.0.0.1:{server.server_port}/1", _Collector.received
    server.shutdown()


def _crash_with(dsn: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SENTRY_DSN", dsn)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings.test")
    done = subprocess.run(
        [sys.executable, "-c", CRASH],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,  # a failure is reported below, with its stderr
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_a_crash_reaches_sentry_without_the_request_body(collector, monkeypatch):
    dsn, received = collector

    status = _crash_with(dsn, monkeypatch)

    assert status == "500"
    sent = b"".join(received)
    assert b"RuntimeError" in sent
    assert CARD.encode() not in sent
