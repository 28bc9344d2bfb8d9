"""Purchasing walkthrough against a running Stockyard (demo data seeded).

python3 -m uv run python scripts/walkthrough_purchasing.py [base URL]
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from demo_client import expect, login, show

buyer, clerk, seller = login("purchasing"), login("warehouse"), login("sales")
main = next(w for w in expect(buyer.get("/warehouses/"), 200)["results"] if w["code"] == "MAIN")
in_main = {"warehouse": main["id"]}

# 1. What needs reordering in MAIN?
suggestions = expect(buyer.get("/reorder-suggestions/", params=in_main), 200)
first = suggestions["results"][0]
product = first["product"]
show("reorder suggestions in MAIN", suggestions["count"])
show(
    "first",
    {
        k: first[k]
        for k in ("product_sku", "available", "on_order", "reorder_point", "suggested_quantity")
    },
)

# 2. Draft orders from them, one per supplier; a retry with the same key is replayed.
key = {"Idempotency-Key": str(uuid.uuid4())}
result = expect(buyer.post("/purchase-orders/from-suggestions/", json=in_main, headers=key), 201)
retry = buyer.post("/purchase-orders/from-suggestions/", json=in_main, headers=key)
assert retry.headers["Idempotent-Replayed"] == "true" and retry.json() == result
show(
    "drafted",
    [(o["number"], o["supplier_name"], len(o["lines"]), o["total"]) for o in result["orders"]],
)
show("skipped", [(s["product_sku"], s["reason"]) for s in result["skipped"]])
show("retry with the same Idempotency-Key", f"{retry.status_code}, replayed, nothing new created")
order = next(o for o in result["orders"] if any(ln["product"] == product for ln in o["lines"]))
url = f"/purchase-orders/{order['id']}/"

# 3. While it is a draft: the supplier quoted 1.00 more for the first product. Replace the
#    lines (If-Match guards against a concurrent edit), then submit.
etag = buyer.get(url).headers["ETag"]
lines = [
    {
        "product": ln["product"],
        "quantity": ln["quantity"],
        "unit_cost": str(Decimal(ln["unit_cost"]) + (1 if ln["product"] == product else 0)),
    }
    for ln in order["lines"]
]
edit = {"notes": "Deliver to dock 2", "expected_date": "2031-01-15", "lines": lines}
edited = expect(buyer.patch(url, json=edit, headers={"If-Match": etag}), 200)
show(
    "repriced draft",
    (edited["total"], [(ln["product_sku"], ln["unit_cost"]) for ln in edited["lines"]]),
)
stale = buyer.patch(url, json={"notes": "again"}, headers={"If-Match": etag})
show("PATCH with a stale If-Match", (stale.status_code, stale.json()["code"]))
submitted = expect(buyer.post(f"{url}submit/"), 200)
show("submitted", (submitted["number"], submitted["status"]))
late_edit = buyer.patch(url, json={"lines": []})
show("changing lines after submit", (late_edit.status_code, late_edit.json()["code"]))

# 4. Now on order: the product's suggestion is gone.
after = expect(buyer.get("/reorder-suggestions/", params={**in_main, "product": product}), 200)
show("suggestions for that product once on order", after["count"])

# 5. The warehouse receives half of that line, then tries to receive the whole line again.
line = next(ln for ln in submitted["lines"] if ln["product"] == product)
level = {"product": product, **in_main}
before = expect(clerk.get("/stock-levels/", params=level), 200)["results"][0]
half = (Decimal(line["quantity"]) / 2).quantize(Decimal(1))
part = expect(
    clerk.post(f"{url}receive/", json={"lines": [{"line": line["id"], "quantity": str(half)}]}), 200
)
show(
    "received part",
    (
        part["status"],
        [(ln["product_sku"], ln["quantity_received"], ln["quantity"]) for ln in part["lines"]],
    ),
)
over = clerk.post(
    f"{url}receive/", json={"lines": [{"line": line["id"], "quantity": line["quantity"]}]}
)
show(
    "receiving more than outstanding",
    (over.status_code, over.headers["content-type"], over.json()["code"], over.json()["errors"]),
)
now = expect(clerk.get("/stock-levels/", params=level), 200)["results"][0]
on_hand, cost = Decimal(before["on_hand"]), Decimal(before["average_cost"])
expected = ((on_hand * cost + half * Decimal(line["unit_cost"])) / (on_hand + half)).quantize(
    Decimal("0.0001"), ROUND_HALF_UP
)
assert Decimal(now["average_cost"]) == expected
show(
    "on_hand, average_cost before → after",
    ((before["on_hand"], before["average_cost"]), (now["on_hand"], now["average_cost"])),
)

# 6. Receive everything outstanding, then close; cancelling is refused by then.
rest = [
    {"line": ln["id"], "quantity": str(Decimal(ln["quantity"]) - Decimal(ln["quantity_received"]))}
    for ln in part["lines"]
    if ln["quantity_received"] != ln["quantity"]
]
show("received the rest", expect(clerk.post(f"{url}receive/", json={"lines": rest}), 200)["status"])
cancel = buyer.post(f"{url}cancel/")
show("cancel after receipt", (cancel.status_code, cancel.json()["code"], cancel.json()["detail"]))
show("closed", expect(buyer.post(f"{url}close/"), 200)["status"])

# 7. Roles and validation: sales reads purchase orders but may not write them.
show("sales lists orders", seller.get("/purchase-orders/").status_code)
denied = seller.post("/purchase-orders/", json={"supplier": order["supplier"], **in_main})
show("sales creates an order", (denied.status_code, denied.json()["code"]))
bad = buyer.post(
    "/purchase-orders/",
    json={
        "supplier": order["supplier"],
        **in_main,
        "lines": [{"product": product, "quantity": "0"}],
    },
)
show("a line with quantity 0", (bad.status_code, bad.json()["errors"]))
movements = expect(buyer.get("/stock-movements/", params=level), 200)["results"]
show(
    "receipt movements of the order",
    [
        (m["kind"], m["quantity"], m["unit_cost"])
        for m in movements
        if m["reference_type"] == "purchase_order" and m["reference_id"] == order["id"]
    ],
)
print("OK")
