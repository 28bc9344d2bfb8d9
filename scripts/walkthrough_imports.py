"""Imports walkthrough against a running Stockyard (demo data seeded; a Celery worker
running when REDIS_URL is set): templates, a dry run that finds every bad row, a file
that writes nothing because of one bad row, then products, opening stock (XLSX) and
prices imported and checked through the other APIs.

python3 -m uv run python scripts/walkthrough_imports.py [base URL]
"""

import io
import time
from decimal import Decimal

import httpx
from demo_client import expect, login, show
from openpyxl import Workbook

RUN = time.strftime("%H%M%S")


def upload(
    client: httpx.Client, kind: str, name: str, content: bytes, dry_run: bool = False
) -> dict:
    accepted = expect(
        client.post(
            "/imports/",
            files={"file": (name, content)},
            data={"kind": kind, "dry_run": str(dry_run).lower()},
        ),
        202,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = expect(client.get(f"/imports/{accepted['id']}/"), 200)
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"import {accepted['id']} not finished (is a worker running?)")


manager, warehouse_clerk, viewer = login("manager"), login("warehouse"), login("viewer")

# 1. Templates: the CSV header of each kind.
for kind in ("products", "customers", "suppliers", "opening-stock", "prices"):
    template = manager.get(f"/imports/templates/{kind}/")
    assert template.status_code == 200 and template.headers["content-type"].startswith("text/csv")
    show(f"template {kind}", template.text.lstrip("\ufeff").strip())

supplier = expect(manager.get("/suppliers/", params={"page_size": 1}), 200)["results"][0]["code"]
warehouse = expect(manager.get("/warehouses/", params={"page_size": 1}), 200)["results"][0]["code"]
sku = [f"IMP-{RUN}-{n}" for n in range(3)]

# 2. A dry run reports every bad row and writes nothing.
bad = (
    "sku,name,price,cost,supplier\n"
    f"{sku[0]},Good row,1.00,0.50,{supplier}\n"
    f"{sku[1]},Wrong type,abc,0.50,\n"
    f"{sku[2]},Unknown supplier,1.00,0.50,NO-SUCH\n"
    f"{sku[0]},Duplicate,1.00,0.50,\n"
    f"IMP-{RUN}-X,Too precise,1.00001,0.50,\n"
).encode()
job = upload(manager, "products", "bad.csv", bad, dry_run=True)
assert job["status"] == "failed" and job["created"] == 0, job
assert [(e["row"], e["field"]) for e in job["errors"]] == [
    (3, "price"),
    (4, "supplier"),
    (5, "sku"),
    (6, "price"),
], job["errors"]
show(
    "dry run with bad rows", [f"row {e['row']} {e['field']}: {e['message']}" for e in job["errors"]]
)
# The same file for real: still nothing written, the good row included.
job = upload(manager, "products", "bad.csv", bad)
assert job["status"] == "failed"
assert expect(manager.get("/products/", params={"search": sku[0]}), 200)["count"] == 0
show("all or nothing", f"import {job['id']} failed; {sku[0]} was not created")

# 3. Products, then their opening stock from a workbook, then new prices.
good = "sku,name,price,cost,supplier,reorder_point\n" + "".join(
    f"{s},Imported {s},{n + 1}.50,{n + 1}.00,{supplier},5\n" for n, s in enumerate(sku)
)
job = upload(manager, "products", "products.csv", good.encode())
assert (job["status"], job["created"], job["rows_total"], job["progress"]) == ("done", 3, 3, 3), job
show("products", {k: job[k] for k in ("id", "status", "rows_total", "created", "updated")})

book = Workbook()
sheet = book.worksheets[0]
sheet.append(["sku", "warehouse", "quantity", "unit_cost"])
for n, s in enumerate(sku):
    sheet.append([s, warehouse, 10 * (n + 1), 1.25])
buffer = io.BytesIO()
book.save(buffer)
assert (
    expect(
        viewer.post(
            "/imports/",
            files={"file": ("stock.xlsx", buffer.getvalue())},
            data={"kind": "opening-stock"},
        ),
        403,
    )["code"]
    == "permission_denied"
)
job = upload(warehouse_clerk, "opening-stock", "stock.xlsx", buffer.getvalue())
assert (job["status"], job["created"]) == ("done", 3), job
for n, s in enumerate(sku):
    product = expect(manager.get("/products/", params={"search": s}), 200)["results"][0]
    level = expect(manager.get("/stock-levels/", params={"product": product["id"]}), 200)["results"]
    assert [Decimal(lv["on_hand"]) for lv in level] == [Decimal(10 * (n + 1))], level
    moves = expect(manager.get("/stock-movements/", params={"product": product["id"]}), 200)
    assert [m["kind"] for m in moves["results"]] == ["adjustment"]
show(
    "opening stock (xlsx)", f"{len(sku)} products stocked in {warehouse}, one ledger movement each"
)
# Again: stock that has moved gets no second opening balance.
job = upload(warehouse_clerk, "opening-stock", "stock.xlsx", buffer.getvalue())
assert job["status"] == "failed" and len(job["errors"]) == 3
show("opening stock again", job["errors"][0]["message"])

job = upload(manager, "prices", "prices.csv", f"sku,price\n{sku[0].lower()},9.99\n".encode())
assert (job["status"], job["updated"]) == ("done", 1), job
product = expect(manager.get("/products/", params={"search": sku[0]}), 200)["results"][0]
assert Decimal(product["price"]) == Decimal("9.99"), product  # prices show 4 places
show("prices", f"{sku[0]} now {product['price']}")

# 4. What is refused at once.
problem = expect(
    manager.post("/imports/", files={"file": ("x.pdf", b"%PDF")}, data={"kind": "products"}), 400
)
assert "file" in problem["errors"]
assert expect(manager.get("/imports/templates/widgets/"), 404)["code"] == "not_found"
show("refused", "a PDF → 400, an unknown template → 404, a viewer importing → 403")
print("imports walkthrough: OK")
