"""A Tokyo shop, end to end over HTTP: it sells in yen, buys tea priced in euros, and
weighs rice by the kilogram. Checks converted prices, totals to the yen, units of
measure, the credit limit in the customer's currency, day buckets in Tokyo's calendar
(and another zone's with ``tz=``), the bytes of a CSV download, a closed order's shipped
revenue and stock values to the yen, report schedules at 07:00 Tokyo time, units and
exchange rates in the audit log, and the status in a backorder-filled event.

Run against a server on PostgreSQL (the audit trail is written by its triggers) whose
business is in Tokyo (demo data seeded in that setting); it can run again on the same data:

    export TIME_ZONE=Asia/Tokyo DEFAULT_CURRENCY=JPY
    python3 -m uv run python manage.py seed_demo
    python3 -m uv run uvicorn config.asgi:application --port 8130
    python3 -m uv run python scripts/walkthrough_tokyo.py http://127.0.0.1:8130
"""

import codecs
import csv
import io
import uuid
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from demo_client import expect, login, show

TOKYO = ZoneInfo("Asia/Tokyo")
RUN = uuid.uuid4().hex[:6].upper()  # the walkthrough can run again on the same data


def yen(value: Decimal) -> Decimal:
    """Half-up to the yen: JPY has no minor unit (ISO 4217)."""
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


admin, sales, clerk, manager = (
    login(name, timeout=60) for name in ("admin", "sales", "warehouse", "manager")
)
today = datetime.now(TOKYO).date()

# 1. Reference data: units and a dated exchange rate.
units = {u["code"]: u["decimal_places"] for u in expect(admin.get("/units/"), 200)["results"]}
assert units["pcs"] == 0 and units["kg"] == 3, units
rate = Decimal("162.5")
known = expect(admin.get("/exchange-rates/", params={"base": "EUR", "quote": "JPY"}), 200)
if not known["count"]:
    euro_in_yen = {"base": "EUR", "quote": "JPY", "rate": str(rate), "valid_from": "2000-01-01"}
    expect(admin.post("/exchange-rates/", json=euro_in_yen), 201)
show("units", {code: units[code] for code in ("pcs", "g", "kg", "m", "l")})

matcha = expect(
    admin.post(
        "/products/",
        json={
            "sku": f"MATCHA-{RUN}",
            "name": "Uji matcha 100 g tin",
            "unit": "pcs",
            "price": "12.3456",
            "cost": "7.5",
            "currency": "EUR",
        },
    ),
    201,
)
rice = expect(
    admin.post(
        "/products/",
        json={
            "sku": f"RICE-{RUN}",
            "name": "Koshihikari rice",
            "unit": "kg",
            "price": "850",
            "cost": "123.45",
        },
    ),
    201,
)
assert (matcha["price"], rice["unit"], rice["currency"]) == ("12.3456", "kg", "JPY")
show("products", [(matcha["sku"], "EUR", matcha["price"]), (rice["sku"], "JPY/kg", rice["price"])])

# 2. Stock, by the piece and by the gram.
warehouse = expect(clerk.get("/warehouses/"), 200)["results"][0]
for product, quantity in ((matcha, "40"), (rice, "25.500")):
    body = {"product": product["id"], "warehouse": warehouse["id"], "quantity": quantity}
    expect(clerk.post("/stock-adjustments/", json={**body, "reason": "opening"}), 201)
half_tin = clerk.post(
    "/stock-adjustments/",
    json={"product": matcha["id"], "warehouse": warehouse["id"], "quantity": "2.5", "reason": "x"},
)
assert half_tin.status_code == 400 and "quantity" in half_tin.json()["errors"], half_tin.text
show("2.5 tins refused", half_tin.json()["errors"]["quantity"][0])

# 3. A customer in yen with a credit limit in yen; an order priced from euros.
customer = expect(
    sales.post(
        "/customers/",
        json={"code": f"TKY-{RUN}", "name": "株式会社 東京茶舗", "currency": "JPY"},
    ),
    201,
)
expect(manager.patch(f"/customers/{customer['id']}/", json={"credit_limit": "10000"}), 200)
order = expect(
    sales.post(
        "/sales-orders/",
        json={
            "customer": customer["id"],
            "warehouse": warehouse["id"],
            "lines": [
                {"product": matcha["id"], "quantity": "3", "tax_rate": "8"},
                {"product": rice["id"], "quantity": "1.255", "tax_rate": "8"},
            ],
        },
    ),
    201,
)
tea_line = order["lines"][0]
unit_price = (Decimal("12.3456") * rate).quantize(Decimal("0.0001"))  # 2006.16 yen a tin
assert Decimal(tea_line["unit_price"]) == unit_price and Decimal(tea_line["exchange_rate"]) == rate
expected_lines = []
for amount, price in ((Decimal(3), unit_price), (Decimal("1.255"), Decimal(850))):
    line_subtotal = yen(amount * price)
    tax = yen(line_subtotal * Decimal("0.08"))
    expected_lines.append((str(line_subtotal), str(tax), str(line_subtotal + tax)))
assert [(li["line_subtotal"], li["line_tax"], li["line_total"]) for li in order["lines"]] == (
    expected_lines
), order["lines"]
total = sum(Decimal(t) for _, _, t in expected_lines)
assert (order["currency"], order["total"], order["order_date"]) == ("JPY", str(total), str(today))
show(
    "order in yen", {"lines": expected_lines, "total": order["total"], "date": order["order_date"]}
)

fraction = sales.post(
    "/sales-orders/",
    json={
        "customer": customer["id"],
        "warehouse": warehouse["id"],
        "lines": [{"product": matcha["id"], "quantity": "0.5"}],
    },
)
assert fraction.status_code == 400 and "lines.0.quantity" in fraction.json()["errors"]
show("half a tin refused", fraction.json()["errors"]["lines.0.quantity"][0])

# 4. Credit in the customer's currency: the first order fits 10,000 yen, a second does not.
confirmed = expect(sales.post(f"/sales-orders/{order['id']}/confirm/"), 200)
second = expect(
    sales.post(
        "/sales-orders/",
        json={
            "customer": customer["id"],
            "warehouse": warehouse["id"],
            "lines": [{"product": matcha["id"], "quantity": "2"}],
        },
    ),
    201,
)
refused = sales.post(f"/sales-orders/{second['id']}/confirm/")
assert refused.status_code == 409 and refused.json()["code"] == "conflict", refused.text
show("credit", {"open": confirmed["total"], "second": second["total"], "refused": "409"})

subtotal = sum((Decimal(li["line_subtotal"]) for li in order["lines"]), Decimal(0))

# 5. Day buckets: the order's day is its confirmation's date in Tokyo; tz= moves it.
confirmed_at = datetime.fromisoformat(confirmed["confirmed_at"].replace("Z", "+00:00"))
assert confirmed["confirmed_at"].endswith(("Z", "+00:00"))  # timestamps stay UTC
for zone in ("Asia/Tokyo", "America/Los_Angeles"):
    day = confirmed_at.astimezone(ZoneInfo(zone)).date()
    params = {"date_from": str(day), "date_to": str(day), "customer": customer["id"]}
    if zone != "Asia/Tokyo":
        params["tz"] = zone
    report = expect(manager.get("/reports/sales/", params=params), 200)
    [row] = report["rows"]
    assert (row["key"], row["orders"]) == (str(day), 1), report
    assert Decimal(report["totals"]["revenue"]) == subtotal  # yen, no conversion
    show(f"sales bucket in {zone}", (row["key"], row["orders"], row["revenue"]))
bad_zone = manager.get("/reports/sales/", params={"tz": "Asia/Edo"})
assert bad_zone.status_code == 400 and "tz" in bad_zone.json()["errors"], bad_zone.text

# 6. The CSV as Excel needs it: declared UTF-8, with a byte-order mark.
download = manager.get(
    "/reports/sales/",
    params={
        "format": "csv",
        "group_by": "customer",
        "date_from": str(today),
        "date_to": str(today),
    },
)
assert download.status_code == 200, download.text
assert download.headers["content-type"] == "text/csv; charset=utf-8"
assert download.content.startswith(codecs.BOM_UTF8)
rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
mine = [row for row in rows if row["customer"] == str(customer["id"])]
assert len(mine) == 1 and mine[0]["name"] == "株式会社 東京茶舗", rows  # no mojibake
assert mine[0]["revenue"] == str(subtotal), mine
show("csv", {"first bytes": download.content[:12], "row": mine[0]})

# 7. A closed order counts the yen of what it shipped: 3 tins at 34 yen less 2 % is 100
#    yen; one tin shipped, then closed, is 33 yen (not 33.33).
buyer = expect(
    sales.post(
        "/customers/", json={"code": f"TKB-{RUN}", "name": "Ginza Kissa", "currency": "JPY"}
    ),
    201,
)
short = expect(
    sales.post(
        "/sales-orders/",
        json={
            "customer": buyer["id"],
            "warehouse": warehouse["id"],
            "lines": [
                {
                    "product": matcha["id"],
                    "quantity": "3",
                    "unit_price": "34",
                    "discount_percent": "2",
                }
            ],
        },
    ),
    201,
)
short = expect(sales.post(f"/sales-orders/{short['id']}/confirm/"), 200)
shipment = expect(
    clerk.post(
        "/shipments/",
        json={
            "sales_order": short["id"],
            "lines": [{"sales_order_line": short["lines"][0]["id"], "quantity": "1"}],
        },
    ),
    201,
)
expect(clerk.post(f"/shipments/{shipment['id']}/ship/"), 200)
expect(sales.post(f"/sales-orders/{short['id']}/close/"), 200)
short_day = datetime.fromisoformat(short["confirmed_at"].replace("Z", "+00:00")).astimezone(TOKYO)
closed = expect(
    manager.get(
        "/reports/sales/",
        params={
            "customer": buyer["id"],
            "date_from": str(short_day.date()),
            "date_to": str(short_day.date()),
        },
    ),
    200,
)["totals"]
assert (closed["quantity"], closed["revenue"]) == ("1.000", "33"), closed
show("closed order's shipped revenue", closed)

# 8. Stock values in yen: 25.5 kg of rice at 123.45 yen is 3,148 yen (3147.975 half-up).
[rice_level] = expect(clerk.get("/stock-levels/", params={"product": rice["id"]}), 200)["results"]
expected_value = yen(Decimal(rice_level["on_hand"]) * Decimal(rice_level["average_cost"]))
assert rice_level["value"] == str(expected_value) == "3148", rice_level
valuation = expect(manager.get("/reports/inventory-valuation/"), 200)["rows"]
[rice_row] = [row for row in valuation if row["product"] == rice["id"]]
assert rice_row["value"] == "3148", rice_row
show("rice in stock", (rice_level["on_hand"], rice_level["average_cost"], rice_level["value"]))

# 9. Schedules run at their hour in Tokyo (07:00 there is 22:00 UTC the day before), or
#    in the zone their params name.
now = datetime.now(TOKYO)
schedule = expect(
    manager.post(
        "/report-schedules/",
        json={
            "name": f"Tokyo mornings {RUN}",
            "report": "sales",
            "params": {"group_by": "product"},
            "format": "csv",
            "frequency": "daily",
            "hour": 7,
            "recipients": ["owner@example.com"],
        },
    ),
    201,
)
next_run = datetime.fromisoformat(schedule["next_run_at"].replace("Z", "+00:00"))
assert schedule["next_run_at"].endswith(("Z", "+00:00")), schedule  # stored and shown in UTC
local = next_run.astimezone(TOKYO)
assert (local.hour, local.minute) == (7, 0) and 0 < (next_run - now).total_seconds() <= 86400
moved = expect(
    manager.patch(
        f"/report-schedules/{schedule['id']}/",
        json={"params": {"group_by": "product", "tz": "UTC"}},
    ),
    200,
)
assert moved["next_run_at"].replace("+00:00", "Z").endswith("T07:00:00Z"), moved
assert manager.delete(f"/report-schedules/{schedule['id']}/").status_code == 204
show("schedule at 07:00", {"Asia/Tokyo": schedule["next_run_at"], "UTC": moved["next_run_at"]})

# 10. Units and exchange rates are in the audit trail.
crate = expect(
    admin.post(
        "/units/", json={"code": f"crate{RUN}".lower(), "name": "crate", "decimal_places": 0}
    ),
    201,
)
expect(admin.patch(f"/units/{crate['id']}/", json={"name": "Crate"}), 200)
franc = expect(
    admin.post(
        "/exchange-rates/",
        json={
            "base": "CHF",
            "quote": "JPY",
            "rate": "170.25",
            "valid_from": str(date(1990, 1, 1) + timedelta(days=int(RUN, 16) % 3000)),
        },
    ),
    201,
)
assert admin.delete(f"/exchange-rates/{franc['id']}/").status_code == 204
trail = {}
for object_type, object_id in (("unit", crate["id"]), ("exchange_rate", franc["id"])):
    entries = expect(
        manager.get("/audit-log/", params={"object_type": object_type, "object_id": object_id}),
        200,
    )["results"]
    trail[object_type] = [(entry["action"], entry["actor_username"]) for entry in reversed(entries)]
assert trail == {
    "unit": [("create", "admin"), ("update", "admin")],
    "exchange_rate": [("create", "admin"), ("delete", "admin")],
}, trail
show("audit trail", trail)

# 11. A backorder filled by arriving stock says the order's status.
cursor = expect(manager.get("/events/"), 200)["cursor"]
sencha = expect(
    admin.post(
        "/products/", json={"sku": f"SENCHA-{RUN}", "name": "Sencha", "unit": "pcs", "price": "900"}
    ),
    201,
)
waiting = expect(
    sales.post(
        "/sales-orders/",
        json={
            "customer": buyer["id"],
            "warehouse": warehouse["id"],
            "allow_backorder": True,
            "lines": [{"product": sencha["id"], "quantity": "4"}],
        },
    ),
    201,
)
expect(sales.post(f"/sales-orders/{waiting['id']}/confirm/"), 200)
arrival = {"product": sencha["id"], "warehouse": warehouse["id"], "quantity": "4"}
expect(clerk.post("/stock-adjustments/", json={**arrival, "reason": "found"}), 201)
[filled] = expect(
    manager.get("/events/", params={"after": cursor, "types": "sales_order.backorder_filled"}),
    200,
)["results"]
assert (filled["data"]["number"], filled["data"]["status"]) == (waiting["number"], "confirmed")
show("backorder filled", (filled["data"]["number"], filled["data"]["status"]))
print("Tokyo walkthrough: all checks passed")
