"""The order lifecycle past the happy path, against a running Stockyard (demo users seeded):
a partly shipped order closed, a backorder filled by a receipt, customer returns restocked
and scrapped, a supplier return, and the sales report before and after.

python3 -m uv run python scripts/walkthrough_returns.py [base URL]
"""

import uuid
from datetime import UTC, datetime

from demo_client import expect, login, show

manager, buyer, clerk, seller = (
    login(role) for role in ("manager", "purchasing", "warehouse", "sales")
)
tag = uuid.uuid4().hex[:6].upper()
today = datetime.now(UTC).date().isoformat()
cursor = expect(manager.get("/events/"), 200)["cursor"]  # follow events from now on

# 0. A fresh warehouse, two products, a customer and a supplier of our own.
warehouse = expect(
    manager.post("/warehouses/", json={"code": f"RET{tag}", "name": f"Returns demo {tag}"}), 201
)
supplier = expect(
    buyer.post("/suppliers/", json={"code": f"SUP{tag}", "name": f"Supplier {tag}"}), 201
)
customer = expect(
    seller.post("/customers/", json={"code": f"CUS{tag}", "name": f"Customer {tag}"}), 201
)
widget, gadget = (
    expect(
        buyer.post(
            "/products/",
            json={"sku": f"{name}-{tag}", "name": f"{name} {tag}", "price": price, "cost": cost},
        ),
        201,
    )
    for name, price, cost in (("WIDGET", "10.00", "4.00"), ("GADGET", "25.00", "12.00"))
)
where = {"warehouse": warehouse["id"]}
report = {"date_from": today, "date_to": today, **where}


def level(product: dict) -> tuple[str, str, str]:
    row = expect(clerk.get("/stock-levels/", params={"product": product["id"], **where}), 200)
    found = row["results"][0]
    return found["on_hand"], found["reserved"], found["average_cost"]


def purchase(product: dict, quantity: str, unit_cost: str) -> dict:
    order = expect(
        buyer.post(
            "/purchase-orders/",
            json={
                "supplier": supplier["id"],
                **where,
                "lines": [{"product": product["id"], "quantity": quantity, "unit_cost": unit_cost}],
            },
        ),
        201,
    )
    expect(buyer.post(f"/purchase-orders/{order['id']}/submit/"), 200)
    line = order["lines"][0]["id"]
    return expect(
        clerk.post(
            f"/purchase-orders/{order['id']}/receive/",
            json={"lines": [{"line": line, "quantity": quantity}]},
        ),
        200,
    )


def sell(product: dict, quantity: str, **extra: object) -> dict:
    order = expect(
        seller.post(
            "/sales-orders/",
            json={
                "customer": customer["id"],
                **where,
                "lines": [{"product": product["id"], "quantity": quantity, "tax_rate": "20"}],
                **extra,
            },
        ),
        201,
    )
    return expect(seller.post(f"/sales-orders/{order['id']}/confirm/"), 200)


def ship(order: dict, quantity: str) -> dict:
    line = order["lines"][0]["id"]
    shipment = expect(
        clerk.post(
            "/shipments/",
            json={
                "sales_order": order["id"],
                "lines": [{"sales_order_line": line, "quantity": quantity}],
            },
        ),
        201,
    )
    return expect(clerk.post(f"/shipments/{shipment['id']}/ship/"), 200)


purchase(widget, "10", "4.00")
show("10 widgets received at 4.00", level(widget))
before = expect(manager.get("/reports/sales/", params=report), 200)["totals"]
show("sales report before", before)

# 1. Partial ship → close: 4 of 10 ship, the 6 left are released and recorded as cancelled.
first = sell(widget, "10")
ship(first, "4")
show("shipped 4 of 10: widget on_hand, reserved, average_cost", level(widget))
closed = expect(seller.post(f"/sales-orders/{first['id']}/close/"), 200)
line = closed["lines"][0]
show(
    "closed",
    (closed["status"], line["quantity_shipped"], line["quantity_cancelled"], level(widget)),
)
refused = clerk.post(
    "/shipments/",
    json={"sales_order": first["id"], "lines": [{"sales_order_line": line["id"], "quantity": "1"}]},
)
show("shipping more of a closed order", (refused.status_code, refused.json()["code"]))

# 2. Backorder → a receipt fills it in the same transaction.
second = sell(gadget, "5", allow_backorder=True)
show(
    "confirmed with no gadgets in stock",
    (second["status"], second["lines"][0]["quantity_backordered"]),
)
short = seller.post(
    "/sales-orders/",
    json={
        "customer": customer["id"],
        **where,
        "lines": [{"product": gadget["id"], "quantity": "1"}],
    },
)
no_backorder = seller.post(f"/sales-orders/{short.json()['id']}/confirm/")
show(
    "another order without allow_backorder", (no_backorder.status_code, no_backorder.json()["code"])
)
gadget_po = purchase(gadget, "5", "12.00")
filled = expect(seller.get(f"/sales-orders/{second['id']}/"), 200)
show(
    "after a receipt of 5: backordered, gadget level",
    (filled["lines"][0]["quantity_backordered"], level(gadget)),
)
ship(filled, "5")

# 3. Returns: 2 widgets restocked at the cost they left with, 1 gadget scrapped.
restock = expect(
    seller.post(
        "/returns/",
        json={
            "sales_order": first["id"],
            "reason": "Wrong size",
            "lines": [{"sales_order_line": line["id"], "quantity": "2", "disposition": "restock"}],
        },
    ),
    201,
)
scrap = expect(
    seller.post(
        "/returns/",
        json={
            "sales_order": second["id"],
            "reason": "Arrived broken",
            "lines": [
                {
                    "sales_order_line": filled["lines"][0]["id"],
                    "quantity": "1",
                    "disposition": "scrap",
                }
            ],
        },
    ),
    201,
)
show("requested", [(r["number"], r["status"], r["refund_total"]) for r in (restock, scrap)])
over = seller.post(
    "/returns/",
    json={"sales_order": first["id"], "lines": [{"sales_order_line": line["id"], "quantity": "3"}]},
)
show("returning more than shipped less returned", (over.status_code, over.json()["code"]))
for requested in (restock, scrap):
    received = expect(clerk.post(f"/returns/{requested['id']}/receive/"), 200)
    show(
        f"received {received['number']}",
        (received["status"], received["lines"][0]["unit_cost"], received["refund_total"]),
    )
show("widget level after the restock (on_hand, reserved, average_cost)", level(widget))
show("gadget level after the scrap", level(gadget))

# 4. Supplier return: 10 more widgets bought at 6.00, then 4 of them sent back at the
#    6.00 paid; the average of what stays is that receipt reversed for those 4.
dearer = purchase(widget, "10", "6.00")
show("10 more widgets at 6.00 (on_hand, reserved, average_cost)", level(widget))
dearer_line = dearer["lines"][0]["id"]
sent = expect(
    clerk.post(
        f"/purchase-orders/{dearer['id']}/return/",
        json={"lines": [{"line": dearer_line, "quantity": "4"}]},
    ),
    200,
)
show("4 sent back to the supplier", (sent["lines"][0]["quantity_returned"], level(widget)))
too_many = clerk.post(
    f"/purchase-orders/{dearer['id']}/return/",
    json={"lines": [{"line": dearer_line, "quantity": "7"}]},
)
show("returning more than received less returned", (too_many.status_code, too_many.json()["code"]))
movements = expect(clerk.get("/stock-movements/", params={"product": widget["id"], **where}), 200)
show(
    "widget ledger",
    [(m["kind"], m["quantity"], m["unit_cost"], m["reference_type"]) for m in movements["results"]],
)

# 5. The sales report after: the closed order counts the 4 it shipped (40.00), the gadget
#    order its 5 (125.00), less what came back at its refund less tax (2 widgets 20.00,
#    1 gadget 25.00).
after = expect(manager.get("/reports/sales/", params=report), 200)["totals"]
show("sales report after", after)
assert (after["orders"], after["quantity"], after["revenue"]) == (2, "6.000", "120.00"), after
events = expect(
    manager.get(
        "/events/",
        params={
            "after": cursor,
            "types": "sales_order.closed,sales_order.backorder_filled,return.*",
        },
    ),
    200,
)
show("events", [(e["type"], e["data"].get("number")) for e in events["results"]])
print("OK")
