"""WebSocket check against a running Stockyard (demo data seeded), with a real client.

python3 -m uv run python scripts/check_websocket.py [base URL]

Connects to ws /ws/events/ as the demo viewer, subscribes to stock events, adjusts stock
over HTTP as the warehouse clerk and expects the stock.changed frame; checks the close
codes for a missing or bad token and the error frame for a bad message.
"""

import json

from demo_client import SERVER, demo_token, login, show
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

WS = SERVER.replace("http", "ws", 1) + "/ws/events/"


def open_socket(query: str) -> ClientConnection:
    # Browsers send Origin; the server accepts origins matching ALLOWED_HOSTS only.
    return connect(f"{WS}{query}", origin=Origin(SERVER), open_timeout=10)


def close_code(query: str) -> int | None:
    with open_socket(query) as ws:
        try:
            ws.recv(timeout=5)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
    raise AssertionError("the socket stayed open")


def frame(ws: ClientConnection) -> dict:
    return json.loads(ws.recv(timeout=5))


show("no token", f"closed {close_code('')}")
assert close_code("") == 4401
assert close_code("?token=not-a-jwt") == 4401
show("bad token", "closed 4401")

clerk = login("warehouse")
with open_socket(f"?token={demo_token('viewer')}") as ws:
    ws.send(json.dumps({"subscribe": ["stock.*"]}))
    show("subscribed", frame(ws))
    ws.send("hello?")
    error = frame(ws)
    assert error["error"] == "validation_error", error
    show("a bad message", error)

    level = clerk.get("/stock-levels/").json()["results"][0]
    adjustment = {
        "product": level["product"],
        "warehouse": level["warehouse"],
        "quantity": "2",
        "reason": "websocket check",
    }
    assert clerk.post("/stock-adjustments/", json=adjustment).status_code == 201
    event = frame(ws)
    assert event["type"] == "stock.changed", event
    assert event["data"]["product"] == level["product"], event
    show("stock adjusted over HTTP; pushed", {k: event[k] for k in ("id", "type")})
    show("its data", event["data"])
    try:
        extra = ws.recv(timeout=1)
    except TimeoutError:
        extra = ""
    assert not extra, f"pushed twice or unasked: {extra!r}"
    show("nothing else pushed", "ok")
print("websocket check passed")
