"""Reports walkthrough against a running Stockyard (demo data seeded, a Celery worker
running when REDIS_URL is set). Checks the reports against the APIs they summarize.

python3 -m uv run python scripts/walkthrough_reports.py [base URL]
"""

import csv
import io
import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
from demo_client import expect, login, show
from openpyxl import load_workbook


def every(client: httpx.Client, path: str, **params: Any) -> list[dict]:
    rows, page = [], expect(client.get(path, params={**params, "page_size": 500}), 200)
    rows.extend(page["results"])
    while page["next"]:
        page = expect(client.get(page["next"]), 200)
        rows.extend(page["results"])
    return rows


def until_done(client: httpx.Client, path: str, field: str, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = expect(client.get(path), 200)
        if body[field] not in (None, "pending", "running"):
            return body
        time.sleep(0.5)
    raise AssertionError(f"{path} not done after {seconds}s (is a worker running?)")


manager, clerk, viewer = login("manager"), login("sales"), login("viewer")

# 1. Sales of the last 30 days, checked against the orders themselves.
sales = expect(manager.get("/reports/sales/"), 200)
period = (sales["params"]["date_from"], sales["params"]["date_to"])
orders = [
    o
    for o in every(manager, "/sales-orders/")
    if o["confirmed_at"]
    and o["status"] != "cancelled"
    and o["currency"] == "USD"
    and period[0] <= o["confirmed_at"][:10] <= period[1]
]


def sold_revenue(order: dict) -> Decimal:
    """Revenue as the reports count it: the order less tax, and for a closed order what
    it shipped, each line's share (quantity less cancelled) rounded half-up to the cent."""
    if order["status"] != "closed":
        return Decimal(order["subtotal"]) - Decimal(order["discount_total"])
    return sum(
        (
            (
                (Decimal(line["line_subtotal"]) - Decimal(line["line_discount"]))
                * (Decimal(line["quantity"]) - Decimal(line["quantity_cancelled"]))
                / Decimal(line["quantity"])
            ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            for line in order["lines"]
        ),
        Decimal(0),
    )


revenue = sum(sold_revenue(o) for o in orders)
assert sales["totals"]["orders"] == len(orders), (sales["totals"], len(orders))
assert Decimal(sales["totals"]["revenue"]) == revenue
assert len(sales["rows"]) == 30
show("sales, last 30 days", {"period": period, **sales["totals"]})

by_product = expect(manager.get("/reports/sales/", params={"group_by": "product"}), 200)
assert sum(Decimal(r["revenue"]) for r in by_product["rows"]) == revenue
show("sales by product", [(r["sku"], r["orders"], r["revenue"]) for r in by_product["rows"]])

# 2. The same rows as CSV and XLSX downloads.
csv_file = manager.get("/reports/sales/", params={"group_by": "product", "format": "csv"})
assert csv_file.status_code == 200
assert csv_file.headers["content-disposition"].startswith('attachment; filename="sales-')
header, *rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))  # a BOM: Excel
assert header == [c["name"] for c in by_product["columns"]]
assert rows == [[str(r[n]) for n in header] for r in by_product["rows"]]
xlsx_file = manager.get("/reports/sales/", params={"group_by": "product", "format": "xlsx"})
sheet = load_workbook(io.BytesIO(xlsx_file.content)).active
assert sheet is not None and sheet.max_row == len(by_product["rows"]) + 1
show("downloads", [csv_file.headers["content-disposition"], xlsx_file.headers["content-type"]])

# 3. Stock: valuation against the stock levels, low stock against reorder suggestions.
valuation = expect(manager.get("/reports/inventory-valuation/"), 200)
levels = [lv for lv in every(manager, "/stock-levels/") if Decimal(lv["on_hand"]) != 0]
assert len(valuation["rows"]) == len(levels)
assert Decimal(valuation["totals"]["value"]) == sum(Decimal(lv["value"]) for lv in levels)
show("inventory valuation", {"rows": len(levels), **valuation["totals"]})
low = expect(manager.get("/reports/low-stock/"), 200)
suggested = every(manager, "/reorder-suggestions/")
assert [(r["product"], r["warehouse"]) for r in low["rows"]] == [
    (s["product"], s["warehouse"]) for s in suggested
]
show("low stock", [(r["sku"], r["warehouse_code"], r["suggested_quantity"]) for r in low["rows"]])
fulfillment = expect(manager.get("/reports/fulfillment/", params={"group_by": "week"}), 200)
show("fulfillment", fulfillment["totals"])
movements = expect(manager.get("/reports/stock-movements/"), 200)
show("stock movements, last 30 days", movements["totals"])
purchases = expect(manager.get("/reports/purchases/", params={"group_by": "supplier"}), 200)
show("purchases by supplier", [(r["name"], r["orders"], r["spend"]) for r in purchases["rows"]])

# 4. What is refused.
for params, field in (
    ({"date_from": "2026-02-30"}, "date_from"),
    ({"group_by": "supplier"}, "group_by"),
    ({"date_from": "2026-11-10", "date_to": "2026-11-01"}, "date_from"),
    ({"format": "pdf"}, "format"),
):
    problem = expect(manager.get("/reports/sales/", params=params), 400)
    assert list(problem["errors"]) == [field], problem
assert expect(manager.get("/reports/profit/"), 404)["code"] == "not_found"
assert expect(viewer.get("/reports/sales/"), 403)["code"] == "permission_denied"
show("refused", "bad date, wrong group_by, reversed period, pdf → 400; unknown → 404; viewer → 403")

# 5. An export built by the worker, downloaded by its owner only.
accepted = expect(
    clerk.post(
        "/exports/", json={"report": "sales", "params": {"group_by": "product"}, "format": "csv"}
    ),
    202,
)
export = until_done(clerk, f"/exports/{accepted['id']}/", "status")
assert export["status"] == "done", export
download = clerk.get(export["download_url"])
assert download.status_code == 200 and download.text == csv_file.text
assert expect(manager.get(f"/exports/{accepted['id']}/"), 404)["code"] == "not_found"
show("export", {k: export[k] for k in ("id", "status", "file_name", "download_url")})

# 6. A schedule, checked when saved, and sent now by the worker.
bad = {
    "name": "x",
    "report": "low-stock",
    "params": {"date_from": "2026-11-01"},
    "format": "csv",
    "frequency": "daily",
    "hour": 6,
    "recipients": ["ops@example.com"],
}
assert list(expect(manager.post("/report-schedules/", json=bad), 400)["errors"]) == [
    "params.date_from"
]
schedule = expect(
    manager.post(
        "/report-schedules/",
        json={**bad, "name": "Walkthrough", "params": {}, "format": "xlsx"},
    ),
    201,
)
queued = expect(manager.post(f"/report-schedules/{schedule['id']}/run/"), 202)
sent = until_done(manager, f"/report-schedules/{schedule['id']}/", "last_run_at")
show(
    "schedule",
    {
        "next_run_at": schedule["next_run_at"],
        "queued": queued["status"],
        "sent": sent["last_run_at"],
    },
)
assert manager.delete(f"/report-schedules/{schedule['id']}/").status_code == 204
print("OK")
