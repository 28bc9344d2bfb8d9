"""Long-poll check against a running Stockyard (demo data seeded): a waiting long-poll
holds no thread the other requests need, and an event ends the wait at once.

python3 -m uv run python scripts/check_longpoll.py [base URL]

Run it against one uvicorn worker (``--workers 1``, the default): with several, the
other requests could be answered by another process and prove nothing.
"""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import httpx
from demo_client import login, show

WAIT = 10


def timed(call: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


viewer, clerk = login("viewer", timeout=WAIT + 20), login("warehouse", timeout=WAIT + 20)
cursor = viewer.get("/events/").json()["cursor"]
show("present end of the feed", cursor)

with ThreadPoolExecutor(max_workers=4) as pool:
    # 1. A long-poll for a type nobody publishes waits the whole WAIT seconds ...
    waiting = pool.submit(
        timed,
        lambda: viewer.get(
            "/events/", params={"after": cursor, "wait": WAIT, "types": "check.never"}
        ),
    )
    time.sleep(0.5)
    # ... while other requests of the same worker answer at once.
    slowest = 0.0
    for path in ["/auth/me/", "/warehouses/", "/products/", "/events/", "/stock-levels/"] * 3:
        response, seconds = timed(partial(viewer.get, path))
        assert response.status_code == 200, (path, response.text)
        slowest = max(slowest, seconds)
    assert slowest < 1.0, f"a request took {slowest:.2f}s while a long-poll waited"
    show("15 requests during the wait, slowest", f"{slowest * 1000:.0f} ms")
    response, seconds = waiting.result()
    assert response.status_code == 200, response.text
    assert response.json()["results"] == [], response.json()
    assert WAIT - 0.5 <= seconds < WAIT + 3, seconds
    show("the long-poll answered, empty, after", f"{seconds:.1f} s")
    cursor = response.json()["cursor"]

    # 2. A long-poll for stock changes answers as soon as one commits.
    waiting = pool.submit(
        timed,
        lambda: viewer.get("/events/", params={"after": cursor, "wait": WAIT, "types": "stock.*"}),
    )
    time.sleep(1)
    level = clerk.get("/stock-levels/").json()["results"][0]
    adjustment = {
        "product": level["product"],
        "warehouse": level["warehouse"],
        "quantity": "1",
        "reason": "long-poll check",
    }
    assert clerk.post("/stock-adjustments/", json=adjustment).status_code == 201
    response, seconds = waiting.result()
    events = response.json()["results"]
    assert [event["type"] for event in events] == ["stock.changed"], events
    assert events[0]["data"]["product"] == level["product"]
    assert seconds < 3, seconds
    show("stock adjusted after 1 s; the long-poll answered after", f"{seconds:.1f} s")

    # 3. Following the cursor: the event is not seen twice.
    again = viewer.get("/events/", params={"after": response.json()["cursor"]}).json()
    assert again["results"] == [], again
    show("following the cursor again", "no event twice")
print("long-poll check passed")
