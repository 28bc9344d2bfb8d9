"""Drive the foundation and inventory over HTTP as a user would, checking every answer.

Start a server with demo data first (``make run``, or uvicorn on PostgreSQL), then:

    python3 -m uv run python scripts/walkthrough_inventory.py --base http://127.0.0.1:8000

It logs in as the demo users, exercises health, errors, the JWT lifecycle, roles,
idempotency, CORS, and stock adjustments, transfers and counts, and exits non-zero at the
first answer that is not what the contract says.
"""

import argparse
import sys
import uuid
from typing import Any

import httpx


class Walk:
    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=30)
        self.steps = 0

    def check(self, what: str, condition: bool, detail: Any = "") -> None:
        self.steps += 1
        print(f"{'ok ' if condition else 'FAIL'} {what}" + (f"  {detail}" if not condition else ""))
        if not condition:
            sys.exit(1)

    def login(self, username: str) -> dict[str, str]:
        response = self.http.post(
            "/api/v1/auth/token/",
            json={"username": username, "password": f"{username}-demo-pass-1"},
        )
        self.check(f"{username} logs in", response.status_code == 200, response.text)
        return response.json()


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access']}"}


def problem(response: httpx.Response, status: int, code: str) -> bool:
    return (
        response.status_code == status
        and response.headers["content-type"] == "application/problem+json"
        and response.json()["code"] == code
    )


def foundation(walk: Walk) -> None:
    http = walk.http
    walk.check("healthz", http.get("/healthz").json() == {"status": "ok"})
    ready = http.get("/readyz")
    walk.check("readyz", ready.status_code == 200, ready.text)
    schema = http.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    walk.check(
        "schema lists the stock endpoints", "/api/v1/stock-adjustments/" in schema.json()["paths"]
    )
    walk.check("swagger ui", http.get("/api/docs/").status_code == 200)
    walk.check("404 is problem+json", problem(http.get("/api/v1/nope/"), 404, "not_found"))
    walk.check(
        "401 is problem+json", problem(http.get("/api/v1/auth/me/"), 401, "not_authenticated")
    )

    admin = walk.login("admin")
    me = http.get("/api/v1/auth/me/", headers=bearer(admin)).json()
    walk.check("me names the roles", me["roles"] == ["admin"], me)
    rotated = http.post("/api/v1/auth/token/refresh/", json={"refresh": admin["refresh"]})
    walk.check("refresh rotates", rotated.status_code == 200 and "refresh" in rotated.json())
    reused = http.post("/api/v1/auth/token/refresh/", json={"refresh": admin["refresh"]})
    walk.check("a rotated refresh token is revoked", problem(reused, 401, "not_authenticated"))
    logout = http.post("/api/v1/auth/logout/", json={"refresh": rotated.json()["refresh"]})
    walk.check("logout", logout.status_code == 204)

    viewer = walk.login("viewer")
    walk.check(
        "viewer may not list users",
        problem(http.get("/api/v1/users/", headers=bearer(viewer)), 403, "permission_denied"),
    )
    walk.check(
        "405 is problem+json",
        problem(http.delete("/api/v1/auth/me/", headers=bearer(admin)), 405, "method_not_allowed"),
    )
    bad = http.post("/api/v1/users/", headers=bearer(admin), json={"username": ""})
    walk.check(
        "400 lists fields",
        problem(bad, 400, "validation_error") and "password" in bad.json()["errors"],
    )

    key = {"Idempotency-Key": str(uuid.uuid4()), **bearer(admin)}
    body = {
        "username": f"clerk-{uuid.uuid4().hex[:6]}",
        "password": "a-long-passphrase",
        "roles": ["sales"],
    }
    first = http.post("/api/v1/users/", headers=key, json=body)
    again = http.post("/api/v1/users/", headers=key, json=body)
    walk.check("idempotent create", first.status_code == 201 and again.json() == first.json())
    walk.check("replay is marked", again.headers.get("Idempotent-Replayed") == "true")
    other = http.post("/api/v1/users/", headers=key, json={**body, "email": "x@example.com"})
    walk.check("key reuse with another body", problem(other, 422, "idempotency_key_reused"))

    preflight = {"Access-Control-Request-Method": "GET"}
    evil = http.options("/api/v1/auth/me/", headers={"Origin": "https://evil.example", **preflight})
    walk.check("CORS refuses unknown origins", "access-control-allow-origin" not in evil.headers)


def inventory(walk: Walk) -> None:
    http = walk.http
    clerk = bearer(walk.login("warehouse"))
    sales = bearer(walk.login("sales"))
    warehouses = http.get("/api/v1/warehouses/", headers=clerk).json()["results"]
    walk.check("demo warehouses exist", len(warehouses) >= 2, warehouses)
    main, other = warehouses[0]["id"], warehouses[1]["id"]
    levels = http.get(f"/api/v1/stock-levels/?warehouse={main}&ordering=-on_hand", headers=clerk)
    level = levels.json()["results"][0]
    product, on_hand = level["product"], float(level["on_hand"])
    walk.check("a product has stock", on_hand > 2, level)

    def level_of(warehouse: int) -> dict[str, Any]:
        rows = http.get(
            f"/api/v1/stock-levels/?product={product}&warehouse={warehouse}", headers=clerk
        )
        return rows.json()["results"][0]

    adjust = {"product": product, "warehouse": main, "quantity": "-1", "reason": "damaged"}
    response = http.post("/api/v1/stock-adjustments/", headers=clerk, json=adjust)
    walk.check(
        "adjustment posts a movement",
        response.status_code == 201 and response.json()["kind"] == "adjustment",
    )
    walk.check("on_hand follows", float(level_of(main)["on_hand"]) == on_hand - 1)
    walk.check(
        "sales may not adjust",
        problem(
            http.post("/api/v1/stock-adjustments/", headers=sales, json=adjust),
            403,
            "permission_denied",
        ),
    )
    too_much = {**adjust, "quantity": str(-(on_hand + 100))}
    refused = http.post("/api/v1/stock-adjustments/", headers=clerk, json=too_much)
    walk.check(
        "below zero is insufficient_stock",
        problem(refused, 409, "insufficient_stock"),
        refused.text,
    )

    transfer = {"product": product, "from_warehouse": main, "to_warehouse": other, "quantity": "1"}
    moved = http.post("/api/v1/stock-transfers/", headers=clerk, json=transfer)
    walk.check(
        "transfer", moved.status_code == 201 and len(moved.json()["movements"]) == 2, moved.text
    )

    target = float(level_of(main)["on_hand"]) + 3
    count = {"warehouse": main, "lines": [{"product": product, "counted_quantity": str(target)}]}
    counted = http.post("/api/v1/stock-counts/", headers=clerk, json=count)
    walk.check(
        "count posts the difference",
        counted.json()["movements"][0]["quantity"] == "3.000",
        counted.text,
    )

    ledger = http.get(
        f"/api/v1/stock-movements/?product={product}&page_size=3", headers=clerk
    ).json()
    walk.check("ledger is newest first", ledger["results"][0]["kind"] == "count", ledger)
    walk.check(
        "ledger has no write path",
        problem(
            http.delete(f"/api/v1/stock-movements/{ledger['results'][0]['id']}/", headers=clerk),
            405,
            "method_not_allowed",
        ),
    )
    low = http.get("/api/v1/stock-levels/?below_reorder_point=true", headers=clerk)
    walk.check("below_reorder_point filter answers", low.status_code == 200)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    walk = Walk(parser.parse_args().base)
    foundation(walk)
    inventory(walk)
    print(f"\n{walk.steps} checks passed")


if __name__ == "__main__":
    main()
