"""Zero-downtime drill on the staging stack: releases under a bounded loopback load.

    python deploy/ops/zero_downtime.py [base URL]        (make zero-downtime-drill)

For each phase — a graceful reload (uvicorn replaces its workers one at a time), a
blue/green release of HEAD (the new release starts beside the live one, nginx switches,
the old one drains), and a rollback to the previous release — it runs, through nginx:
``HTTP_CLIENTS`` clients issuing authenticated API requests back to back, ``POLLERS``
long-polls on ``/api/v1/events/`` (``wait=20``, the connections a draining server must
finish), and ``SOCKETS`` WebSocket clients on ``/ws/events/`` (reconnecting when the
server they were on shuts down, as clients do). A failed request is any answer other than
2xx or a connection error; a failed WebSocket is a refused handshake or an abnormal close
(1006); a clean close (1000/1001/1012) of a draining server is counted as a reconnect.
Everything is bounded: ``SETTLE`` seconds of load after each command, then the clients
stop. Prints one line per phase; exits non-zero on any failure.
"""

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import connect
from websockets.typing import Origin

ROOT = Path(__file__).resolve().parents[2]
BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8168"
HTTP_CLIENTS, POLLERS, SOCKETS = 3, 2, 2
SETTLE = 45.0  # > the long-polls' 20 s wait + a release's start-up
PACE = 0.2  # seconds between a client's requests: ~900/minute in all, under the user throttle


class Load:
    def __init__(self, token: str) -> None:
        self.headers = {"Authorization": f"Bearer {token}"}
        self.token = token
        self.stop = threading.Event()
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []
        self.lock = threading.Lock()

    def record(self, kind: str, failure: str | None = None) -> None:
        with self.lock:
            self.counts[f"{kind} failed" if failure else kind] += 1
            if failure and len(self.failures) < 10:
                self.failures.append(f"{kind}: {failure}")

    def requests(self) -> None:
        with httpx.Client(base_url=BASE, headers=self.headers, timeout=30) as client:
            paths = ["/api/v1/auth/me/", "/api/v1/warehouses/", "/healthz"]
            turn = 0
            while not self.stop.is_set():
                turn += 1
                try:
                    response = client.get(paths[turn % len(paths)])
                    ok = response.is_success
                    self.record("requests", None if ok else f"{response.status_code}")
                except httpx.HTTPError as error:
                    self.record("requests", f"{type(error).__name__}: {error}")
                time.sleep(PACE)

    def long_polls(self) -> None:
        with httpx.Client(base_url=BASE, headers=self.headers, timeout=60) as client:
            cursor = client.get("/api/v1/events/").json()["cursor"]
            while not self.stop.is_set():
                try:
                    response = client.get("/api/v1/events/", params={"after": cursor, "wait": 20})
                    if response.is_success:
                        cursor = response.json()["cursor"]
                        self.record("long-polls")
                    else:
                        self.record("long-polls", f"{response.status_code}")
                except httpx.HTTPError as error:
                    self.record("long-polls", f"{type(error).__name__}: {error}")

    def sockets(self) -> None:
        url = BASE.replace("http", "ws", 1) + f"/ws/events/?token={self.token}"
        while not self.stop.is_set():
            try:
                with connect(url, origin=Origin(BASE), open_timeout=10) as ws:
                    ws.send(json.dumps({"subscribe": ["stock.*"]}))
                    self.record("websockets")
                    while not self.stop.is_set():
                        try:
                            ws.recv(timeout=1)
                        except TimeoutError:
                            continue
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else 1006
                if code in (1000, 1001, 1012):
                    self.record("websocket reconnects")
                else:
                    self.record("websockets", f"closed {code}")
            except (WebSocketException, OSError) as error:
                self.record("websockets", f"{type(error).__name__}: {error}")
                time.sleep(0.5)

    def run(self, seconds: float, during: list[str]) -> subprocess.CompletedProcess[str]:
        workers = [
            *(threading.Thread(target=self.requests) for _ in range(HTTP_CLIENTS)),
            *(threading.Thread(target=self.long_polls) for _ in range(POLLERS)),
            *(threading.Thread(target=self.sockets) for _ in range(SOCKETS)),
        ]
        for worker in workers:
            worker.start()
        time.sleep(3)
        started = time.monotonic()
        result = subprocess.run(during, cwd=ROOT, capture_output=True, text=True, check=False)
        command_seconds = time.monotonic() - started
        time.sleep(seconds)
        self.stop.set()
        for worker in workers:
            worker.join(60)
        self.counts["command seconds"] = round(command_seconds)
        return result


def sign_in() -> str:
    credentials = dict(
        line.split("=", 1)
        for line in (ROOT / "var" / "staging" / "preflight.env").read_text().splitlines()
        if "=" in line
    )
    username = os.environ.get("PREFLIGHT_USERNAME", credentials.get("PREFLIGHT_USERNAME"))
    password = os.environ.get("PREFLIGHT_PASSWORD", credentials.get("PREFLIGHT_PASSWORD"))
    response = httpx.post(
        f"{BASE}/api/v1/auth/token/", json={"username": username, "password": password}
    )
    response.raise_for_status()
    return str(response.json()["access"])


def main() -> int:
    stack = ["bash", "deploy/staging/stack.sh"]
    phases = {
        "graceful reload": [*stack, "reload"],
        "blue/green release of HEAD": [*stack, "release", "HEAD"],
        "rollback": [*stack, "rollback"],
    }
    failed = False
    for name, command in phases.items():
        # A token per phase: a release that builds its venv and console on a busy machine
        # can outlast one access token (JWT_ACCESS_MINUTES, 15).
        load = Load(sign_in())
        result = load.run(SETTLE, command)
        failures = sum(n for kind, n in load.counts.items() if kind.endswith("failed"))
        failed |= bool(failures) or result.returncode != 0
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(load.counts.items()))
        print(f"{'PASS' if not failures and not result.returncode else 'FAIL'}  {name}: {summary}")
        if result.returncode:
            print(f"    command failed: {result.stderr.strip()[-300:]}")
        for failure in load.failures:
            print(f"    {failure}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
