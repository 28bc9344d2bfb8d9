"""Pre-deployment checks: a smoke suite against any running Stockyard, from outside.

    PREFLIGHT_USERNAME=... PREFLIGHT_PASSWORD=... python scripts/preflight.py <base URL>
    (or: make preflight BASE=<base URL>)

Prints one line per capability, ``PASS`` or ``FAIL`` with the reason, and exits 0 only
when every line passes. A capability that depends on one that failed fails too, naming
it. Everything it writes lives in a throwaway warehouse and parties whose codes start
with ``PF`` and whose names start with ``preflight``; at the end it deactivates them
(documents keep them referenced, so they cannot be deleted). The user must be an admin.

Environment: PREFLIGHT_USERNAME, PREFLIGHT_PASSWORD; PREFLIGHT_TIMEOUT (seconds to wait
for background work: exports, events; default 60); PREFLIGHT_BEAT_MAX_AGE (seconds since
the beat heartbeat, default 120).
"""

import json
import os
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin

import httpx
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect
from websockets.typing import Origin

TIMEOUT = float(os.environ.get("PREFLIGHT_TIMEOUT", "60"))
BEAT_MAX_AGE = float(os.environ.get("PREFLIGHT_BEAT_MAX_AGE", "120"))


class Failed(Exception):
    """A capability does not work; the message says why."""


def expect(response: httpx.Response, *statuses: int) -> Any:
    if response.status_code not in statuses:
        detail = response.text[:200].replace("\n", " ")
        raise Failed(
            f"{response.request.method} {response.request.url.path} -> "
            f"{response.status_code} {detail}"
        )
    if "json" in response.headers.get("content-type", ""):
        return response.json()
    return response.text


class Preflight:
    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base.rstrip("/")
        self.username, self.password = username, password
        self.http = httpx.Client(base_url=self.base, timeout=15, follow_redirects=False)
        self.api = httpx.Client(base_url=f"{self.base}/api/v1", timeout=15)
        self.run = datetime.now(UTC).strftime("%y%m%d%H%M%S")
        self.made: dict[str, Any] = {}
        self.results: dict[str, bool] = {}
        self.access = ""

    # --- the runner -----------------------------------------------------------------------
    def check(self, name: str, needs: tuple[str, ...], step: Callable[[], str]) -> None:
        missing = [need for need in needs if not self.results.get(need)]
        try:
            if missing:
                raise Failed(f"needs {', '.join(missing)}")
            detail = step()
        except Failed as failure:
            self.results[name] = False
            print(f"FAIL  {name:<12} {failure}", flush=True)
        except (httpx.HTTPError, WebSocketException, OSError, ValueError, KeyError) as error:
            self.results[name] = False
            print(f"FAIL  {name:<12} {type(error).__name__}: {error}", flush=True)
        else:
            self.results[name] = True
            print(f"PASS  {name:<12} {detail}", flush=True)

    def wait_for(self, what: str, probe: Callable[[], Any]) -> Any:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            result = probe()
            if result:
                return result
            time.sleep(1)
        raise Failed(f"{what} not within {TIMEOUT:.0f} s")

    # --- capabilities ---------------------------------------------------------------------
    def health(self) -> str:
        body = expect(self.http.get("/healthz"), 200)
        if body != {"status": "ok"}:
            raise Failed(f"unexpected body {body}")
        return "/healthz ok"

    def readiness(self) -> str:
        response = self.http.get("/readyz")
        body = response.json()
        failing = {k: v for k, v in body.get("checks", {}).items() if v != "ok"}
        if response.status_code != 200 or failing:
            raise Failed(f"/readyz {response.status_code}: {failing or body}")
        if body["checks"].get("migrations") != "ok":
            raise Failed("/readyz does not check migrations (an older release?)")
        return f"database, migrations, cache, broker ok ({', '.join(body['checks'])})"

    def sign_in(self) -> str:
        body = expect(
            self.api.post(
                "/auth/token/", json={"username": self.username, "password": self.password}
            ),
            200,
        )
        self.access = body["access"]
        self.api.headers["Authorization"] = f"Bearer {self.access}"
        me = expect(self.api.get("/auth/me/"), 200)
        if "admin" not in me["roles"]:
            raise Failed(f"{self.username} is not an admin (roles {me['roles']})")
        return f"JWT for {me['username']} (admin)"

    def openapi(self) -> str:
        document = self.http.get(
            "/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}
        )
        expect(document, 200)
        schema = document.json()
        if not str(schema.get("openapi", "")).startswith("3."):
            raise Failed("/api/schema/ is not an OpenAPI 3 document")
        assets = self.page_assets("/api/docs/") + self.page_assets("/api/redoc/")
        return f"{len(schema['paths'])} paths; /api/docs/ and /api/redoc/ with {assets} assets"

    def page_assets(self, page: str) -> int:
        """Load every script and stylesheet that ``page`` names: each from this host, 200,
        with a JavaScript or CSS content type (browsers refuse module scripts otherwise).
        Answers how many; a page naming none fails."""
        html = expect(self.http.get(page), 200)
        assets = 0
        for path, extension in re.findall(r'(?:src|href)="([^"]+\.(js|css))"', html):
            url = urljoin(f"{self.base}{page}", path)
            if not url.startswith(f"{self.base}/"):
                raise Failed(f"{page} loads {url} from another host (needs the internet)")
            asset = self.http.get(url)
            expect(asset, 200)
            kind = "javascript" if extension == "js" else "css"
            if kind not in asset.headers.get("content-type", ""):
                raise Failed(f"{url} served as {asset.headers.get('content-type')}")
            assets += 1
        if not assets:
            raise Failed(f"{page} names no local scripts or stylesheets")
        return assets

    def static(self) -> str:
        response = self.http.get("/static/admin/css/base.css")
        expect(response, 200)
        if "text/css" not in response.headers.get("content-type", ""):
            raise Failed(f"served as {response.headers.get('content-type')}")
        return f"/static/admin/css/base.css {len(response.content)} bytes, text/css"

    def console(self) -> str:
        assets = self.page_assets("/app/")
        # History-mode routes: a deep link answers the same page, the router picks the screen.
        deep = self.http.get("/app/sales-orders")
        expect(deep, 200)
        if 'id="app"' not in deep.text:
            raise Failed("/app/sales-orders does not answer the console's page")
        return f"/app/ with {assets} assets; /app/sales-orders answers the same page"

    def purchasing(self) -> str:
        code = f"PF{self.run}"
        label = f"preflight {self.run}"
        self.made["warehouse"] = expect(
            self.api.post("/warehouses/", json={"code": code, "name": label}), 201
        )
        self.made["supplier"] = expect(
            self.api.post("/suppliers/", json={"code": code, "name": label}), 201
        )
        self.made["customer"] = expect(
            self.api.post("/customers/", json={"code": code, "name": label}), 201
        )
        self.made["product"] = expect(
            self.api.post(
                "/products/",
                json={"sku": code, "name": label, "unit": "pcs", "price": "10.00", "cost": "4.00"},
            ),
            201,
        )
        order = expect(
            self.api.post(
                "/purchase-orders/",
                json={
                    "supplier": self.made["supplier"]["id"],
                    "warehouse": self.made["warehouse"]["id"],
                    "notes": label,
                    "lines": [
                        {
                            "product": self.made["product"]["id"],
                            "quantity": "5",
                            "unit_cost": "4.00",
                        }
                    ],
                },
            ),
            201,
        )
        url = f"/purchase-orders/{order['id']}/"
        expect(self.api.post(f"{url}submit/"), 200)
        line = order["lines"][0]["id"]
        received = expect(
            self.api.post(f"{url}receive/", json={"lines": [{"line": line, "quantity": "5"}]}), 200
        )
        if received["status"] != "received":
            raise Failed(f"{received['number']} is {received['status']} after receiving all")
        level = self.stock_level()
        if Decimal(level["on_hand"]) != 5:
            raise Failed(f"on hand {level['on_hand']} after receiving 5")
        warehouse = self.made["warehouse"]["code"]
        return f"{received['number']} received, 5 on hand in warehouse {warehouse}"

    def stock_level(self) -> dict[str, Any]:
        levels = expect(
            self.api.get(
                "/stock-levels/",
                params={
                    "product": self.made["product"]["id"],
                    "warehouse": self.made["warehouse"]["id"],
                },
            ),
            200,
        )["results"]
        return levels[0] if levels else {"on_hand": "0"}

    def sales(self) -> str:
        order = expect(
            self.api.post(
                "/sales-orders/",
                json={
                    "customer": self.made["customer"]["id"],
                    "warehouse": self.made["warehouse"]["id"],
                    "notes": f"preflight {self.run}",
                    "lines": [{"product": self.made["product"]["id"], "quantity": "2"}],
                },
            ),
            201,
        )
        url = f"/sales-orders/{order['id']}/"
        expect(self.api.post(f"{url}confirm/"), 200)
        shipment = expect(
            self.api.post(
                "/shipments/",
                json={
                    "sales_order": order["id"],
                    "carrier": "preflight",
                    "lines": [{"sales_order_line": order["lines"][0]["id"], "quantity": "2"}],
                },
            ),
            201,
        )
        expect(self.api.post(f"/shipments/{shipment['id']}/ship/"), 200)
        shipped = expect(self.api.get(url), 200)
        if shipped["status"] != "shipped":
            raise Failed(f"{shipped['number']} is {shipped['status']} after shipping all")
        self.made["sales_order"] = shipped
        return f"{shipped['number']} confirmed and shipped ({shipment['number']})"

    def report_params(self) -> dict[str, Any]:
        today = datetime.now(UTC).date().isoformat()
        return {"date_from": today, "date_to": today, "warehouse": self.made["warehouse"]["id"]}

    def report(self) -> str:
        body = expect(self.api.get("/reports/sales/", params=self.report_params()), 200)
        orders = sum(int(row["orders"]) for row in body["rows"])
        if orders < 1:
            raise Failed(f"the sales report shows {orders} orders in the throwaway warehouse")
        return f"sales report: {orders} order(s), revenue {body['totals'].get('revenue')}"

    def export(self) -> str:
        accepted = expect(
            self.api.post(
                "/exports/",
                json={"report": "sales", "params": self.report_params(), "format": "csv"},
            ),
            202,
        )

        def done() -> dict[str, Any] | None:
            export = expect(self.api.get(f"/exports/{accepted['id']}/"), 200)
            if export["status"] == "failed":
                raise Failed(f"export {accepted['id']} failed on the worker")
            return export if export["status"] == "done" else None

        try:
            export = self.wait_for("export built by the worker", done)
        except Failed as failure:
            raise Failed(f"{failure} (is a Celery worker running?)") from None
        download = self.http.get(
            export["download_url"], headers={"Authorization": f"Bearer {self.access}"}
        )
        expect(download, 200)
        return f"export {export['id']} built by the worker, {len(download.content)} bytes of CSV"

    def websocket(self) -> str:
        ws_url = self.base.replace("http", "ws", 1) + f"/ws/events/?token={self.access}"
        with connect(ws_url, origin=Origin(self.base), open_timeout=10) as ws:
            ws.send(json.dumps({"subscribe": ["stock.*"]}))
            ws.recv(timeout=10)  # the subscription's acknowledgement
            adjustment = {
                "product": self.made["product"]["id"],
                "warehouse": self.made["warehouse"]["id"],
                "quantity": "-3",
                "reason": f"preflight {self.run}: empty the throwaway warehouse",
            }
            expect(self.api.post("/stock-adjustments/", json=adjustment), 201)
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline:
                try:
                    event = json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
                except TimeoutError:
                    break
                data = event.get("data", {})
                if (
                    event.get("type") == "stock.changed"
                    and data.get("warehouse") == self.made["warehouse"]["id"]
                ):
                    return f"stock.changed #{event['id']} pushed over /ws/events/"
        raise Failed(f"no stock.changed frame within {TIMEOUT:.0f} s (worker and Redis?)")

    def beat(self) -> str:
        body = self.http.get("/readyz").json()
        last_seen = (body.get("beat") or {}).get("last_seen")
        if body.get("checks", {}).get("cache", "ok") != "ok":
            raise Failed("cannot read the beat heartbeat: the cache (Redis) is unreachable")
        if not last_seen:
            raise Failed("no beat heartbeat recorded (is celery beat running?)")
        age = (datetime.now(UTC) - datetime.fromisoformat(last_seen)).total_seconds()
        if age > BEAT_MAX_AGE:
            raise Failed(f"last beat heartbeat {age:.0f} s ago (> {BEAT_MAX_AGE:.0f} s)")
        return f"heartbeat {age:.0f} s ago"

    def clean_up(self) -> None:
        """Deactivate what this run made; documents keep it referenced, so it stays."""
        paths = {
            "warehouse": "warehouses",
            "supplier": "suppliers",
            "customer": "customers",
            "product": "products",
        }
        for kind, path in paths.items():
            if kind in self.made:
                self.api.patch(f"/{path}/{self.made[kind]['id']}/", json={"is_active": False})

    def run_all(self) -> bool:
        steps: list[tuple[str, tuple[str, ...], Callable[[], str]]] = [
            ("health", (), self.health),
            ("readiness", (), self.readiness),
            ("sign-in", (), self.sign_in),
            ("openapi", (), self.openapi),
            ("static", (), self.static),
            ("console", (), self.console),
            ("purchasing", ("sign-in",), self.purchasing),
            ("sales", ("purchasing",), self.sales),
            ("report", ("sales",), self.report),
            ("export", ("sales",), self.export),
            ("websocket", ("purchasing",), self.websocket),
            ("beat", (), self.beat),
        ]
        print(f"preflight {self.run} against {self.base}")
        try:
            for name, needs, step in steps:
                self.check(name, needs, step)
        finally:
            if self.access:
                self.clean_up()
        return all(self.results.values())


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        username = os.environ["PREFLIGHT_USERNAME"]
        password = os.environ["PREFLIGHT_PASSWORD"]
    except KeyError as missing:
        print(f"set {missing.args[0]} (an admin's credentials)", file=sys.stderr)
        return 2
    passed = Preflight(sys.argv[1], username, password).run_all()
    print("preflight: all capabilities pass" if passed else "preflight: FAILED")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
