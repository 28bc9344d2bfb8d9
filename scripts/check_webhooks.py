"""Webhook check against a running Stockyard (demo data seeded) and a Celery worker with
beat, the server started with WEBHOOK_ALLOW_PRIVATE_TARGETS=true (the receiver is local).

python3 -m uv run python scripts/check_webhooks.py [base URL]

Starts a receiver on 127.0.0.1 that answers 500 once, then 200; registers it as the
manager; adjusts stock as the warehouse clerk; expects the signed stock.changed POST,
its retry after the 500, and both attempts in the deliveries list.
"""

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from demo_client import login, show

SECRET = secrets.token_hex(16)
received: list[tuple[str, bytes]] = []
answers = [500]


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        received.append((self.headers["Stockyard-Signature"], body))
        self.send_response(answers.pop(0) if answers else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
manager, clerk, viewer = login("manager"), login("warehouse"), login("viewer")

hook = {"url": "", "events": ["stock.*"], "secret": SECRET}
assert viewer.get("/webhooks/").status_code == 403
show("the viewer lists webhooks", "403")

hook["url"] = f"http://127.0.0.1:{server.server_port}/stockyard"
created = manager.post("/webhooks/", json=hook)
assert created.status_code == 201, created.text
webhook = created.json()
assert "secret" not in webhook
show("registered", webhook)
try:
    level = clerk.get("/stock-levels/").json()["results"][0]
    adjustment = {
        "product": level["product"],
        "warehouse": level["warehouse"],
        "quantity": "3",
        "reason": "webhook check",
    }
    assert clerk.post("/stock-adjustments/", json=adjustment).status_code == 201
    until(lambda: len(received) >= 1, 15, "the first POST")
    show("first POST answered", 500)
    until(lambda: len(received) >= 2, 45, "the retry")
    for signature, body in received:
        fields = dict(part.split("=", 1) for part in signature.split(","))
        mac = hmac.new(SECRET.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256)
        assert hmac.compare_digest(mac.hexdigest(), fields["v1"]), signature
    event = json.loads(received[-1][1])
    assert event["type"] == "stock.changed" and event["data"]["product"] == level["product"]
    show("retried, signatures valid; body", {k: event[k] for k in ("id", "type")})
    attempts = manager.get(f"/webhooks/{webhook['id']}/deliveries/").json()
    codes = [attempt["status_code"] for attempt in attempts["results"]]
    assert codes == [200, 500], attempts
    show("deliveries list", [(a["event"], a["status_code"]) for a in attempts["results"]])
    time.sleep(3)
    assert len(received) == 2, "delivered more than once"
    show("nothing delivered twice", "ok")
finally:
    manager.delete(f"/webhooks/{webhook['id']}/")
print("webhook check passed")
