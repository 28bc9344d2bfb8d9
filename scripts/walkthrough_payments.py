"""Payments walkthrough against a running Stockyard (demo data seeded): manual payments
and overpayment, a card payment through Stripe's API and webhook, then a customer return
whose refund goes back to the card through Stripe's refund API, once.

There is no internet here, so this script plays Stripe: it serves Stripe's PaymentIntent
and Refund endpoints on loopback (start the server, and the Celery worker that pays
refunds back, with STRIPE_API_BASE pointing at it) and sends webhook events signed with
Stripe's scheme and the server's STRIPE_WEBHOOK_SECRET.

    STRIPE_SECRET_KEY=sk_test_walkthrough STRIPE_WEBHOOK_SECRET=whsec_walkthrough \\
    STRIPE_API_BASE=http://127.0.0.1:8189 uvicorn config.asgi:application --port 8180 &
    STRIPE_SECRET_KEY=sk_test_walkthrough STRIPE_API_BASE=http://127.0.0.1:8189 \\
    celery -A config worker &
    STRIPE_WEBHOOK_SECRET=whsec_walkthrough STRIPE_STUB_PORT=8189 \\
    python3 -m uv run python scripts/walkthrough_payments.py http://127.0.0.1:8180
"""

import json
import os
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx
import stripe
from demo_client import SERVER, expect, login, show

WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_walkthrough")
STUB_PORT = int(os.environ.get("STRIPE_STUB_PORT", "8189"))
intents: list[dict] = []
refunds: list[dict] = []


class StripeStub(BaseHTTPRequestHandler):
    """Answers POST /v1/payment_intents and /v1/refunds as Stripe's API does (the fields
    Stockyard reads); a refund retried with the same idempotency key is the same refund."""

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        call = {"path": self.path, "form": form, "key": self.headers["Idempotency-Key"]}
        if self.path.startswith("/v1/refunds"):
            if all(made["key"] != call["key"] for made in refunds):
                refunds.append(call)
            found = {"id": f"re_walk_{len(refunds)}", "object": "refund", "status": "succeeded"}
        else:
            intent_id = f"pi_walk_{len(intents) + 1}_{int(time.time())}"
            intents.append(call)
            found = {
                "id": intent_id,
                "object": "payment_intent",
                "client_secret": f"{intent_id}_secret_x",
            }
        body = json.dumps(found).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def signed_event(event_id: str, type: str, obj: dict) -> tuple[bytes, dict]:
    payload = json.dumps({"id": event_id, "object": "event", "type": type, "data": {"object": obj}})
    stamp = int(time.time())
    digest = stripe.WebhookSignature._compute_signature(f"{stamp}.{payload}", WEBHOOK_SECRET)
    headers = {"Stripe-Signature": f"t={stamp},v1={digest}", "Content-Type": "application/json"}
    return payload.encode(), headers


def paid(client: httpx.Client, order_id: int) -> tuple[str, str]:
    order = expect(client.get(f"/sales-orders/{order_id}/"), 200)
    return order["amount_paid"], order["payment_status"]


stub = ThreadingHTTPServer(("127.0.0.1", STUB_PORT), StripeStub)
threading.Thread(target=stub.serve_forever, daemon=True).start()
seller, viewer = login("sales"), login("viewer")

# 1. A confirmed order to pay.
customer = expect(seller.get("/customers/", params={"page_size": 1, "currency": "USD"}), 200)
warehouse = expect(seller.get("/warehouses/", params={"page_size": 1}), 200)["results"][0]
level = next(
    lv
    for lv in expect(
        seller.get("/stock-levels/", params={"warehouse": warehouse["id"], "page_size": 200}), 200
    )["results"]
    if Decimal(lv["available"]) >= 2
)
order = expect(
    seller.post(
        "/sales-orders/",
        json={
            "customer": customer["results"][0]["id"],
            "warehouse": warehouse["id"],
            "lines": [{"product": level["product"], "quantity": "2", "unit_price": "60.00"}],
        },
    ),
    201,
)
assert (
    expect(seller.post("/payments/", json={"sales_order": order["id"], "amount": "1"}), 409)["code"]
    == "invalid_transition"
)
order = expect(seller.post(f"/sales-orders/{order['id']}/confirm/"), 200)
total = Decimal(order["total"])
show("order", {k: order[k] for k in ("number", "total", "amount_paid", "payment_status")})

# 2. Manual payments; paying more than is due is refused.
part = (total / 4).quantize(Decimal("0.01"))
payment = expect(
    seller.post(
        "/payments/", json={"sales_order": order["id"], "amount": str(part), "note": "cash"}
    ),
    201,
)
assert paid(seller, order["id"]) == (str(part), "partially_paid")
problem = expect(
    seller.post("/payments/", json={"sales_order": order["id"], "amount": str(total)}), 409
)
assert problem["code"] == "conflict", problem
show("manual payment", f"{payment['amount']} {payment['currency']} → partially_paid")
show("overpayment", problem["detail"])
assert expect(viewer.post("/payments/", json={"sales_order": order["id"], "amount": "1"}), 403)

# 3. Card payment: checkout creates a PaymentIntent for the rest at "Stripe".
checkout = expect(seller.post(f"/sales-orders/{order['id']}/checkout/"), 201)
card = checkout["payment"]
assert card["status"] == "pending" and Decimal(card["amount"]) == total - part, checkout
assert intents[-1]["form"]["amount"] == [str(int((total - part) * 100))], intents[-1]
assert intents[-1]["key"] == f"stockyard-payment-{card['id']}"
show("checkout", {"client_secret": checkout["client_secret"], "amount": card["amount"]})
assert expect(seller.post(f"/sales-orders/{order['id']}/checkout/"), 409)["code"] == "conflict"

# 4. Stripe's webhook: forged refused, the real one applied once, a replay ignored.
event_id = f"evt_walk_{card['id']}"
body, headers = signed_event(
    event_id,
    "payment_intent.succeeded",
    {"id": card["provider_reference"], "object": "payment_intent"},
)
webhook = f"{SERVER}/api/v1/payments/stripe/webhook/"
forged = httpx.post(webhook, content=body.replace(b"succeeded", b"succeedes"), headers=headers)
assert forged.status_code == 400 and forged.json()["code"] == "invalid_signature", forged.text
first = httpx.post(webhook, content=body, headers=headers)
again = httpx.post(webhook, content=body, headers=headers)
assert first.json() == {"received": True, "applied": True}, first.text
assert again.json() == {"received": True, "applied": False}, again.text
assert paid(seller, order["id"]) == (str(total), "paid")
show("webhook", "forged → 400; succeeded → applied; replay → not applied; order paid")

listed = expect(viewer.get("/payments/", params={"sales_order": order["id"]}), 200)
assert sorted(p["status"] for p in listed["results"]) == ["succeeded", "succeeded"]

# 5. A return of one of the two: once received, the worker pays its refund back to the
#    newest payment (the card) through Stripe's refund API, once.
clerk = login("warehouse")
line = order["lines"][0]["id"]
shipment = expect(
    clerk.post(
        "/shipments/",
        json={"sales_order": order["id"], "lines": [{"sales_order_line": line, "quantity": "2"}]},
    ),
    201,
)
expect(clerk.post(f"/shipments/{shipment['id']}/ship/"), 200)
rma = expect(
    seller.post(
        "/returns/",
        json={"sales_order": order["id"], "lines": [{"sales_order_line": line, "quantity": "1"}]},
    ),
    201,
)
received = expect(clerk.post(f"/returns/{rma['id']}/receive/"), 200)
refund = Decimal(received["refund_total"])
assert received["status"] == "received" and 0 < refund < total, received
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    card_now = expect(viewer.get(f"/payments/{card['id']}/"), 200)
    if Decimal(card_now["amount_refunded"]) > 0:
        break
    time.sleep(0.5)
else:
    raise AssertionError("the return's refund was not paid back within 60 s (is a worker up?)")
assert Decimal(card_now["amount_refunded"]) == refund, card_now
(made,) = refunds
assert made["form"]["amount"] == [str(int(refund * 100))], made
assert made["form"]["payment_intent"] == [card["provider_reference"]], made
assert made["key"] == f"stockyard-refund-{received['number']}-{card['id']}", made
# The customer owes only for what they kept: still paid, with the refund taken off.
assert paid(seller, order["id"]) == (str(total - refund), "paid")
received_twice = expect(clerk.post(f"/returns/{rma['id']}/receive/"), 409)
assert received_twice["code"] == "invalid_transition", received_twice
time.sleep(2)  # nothing else may come: the refund was paid back once
assert len(refunds) == 1 and paid(seller, order["id"]) == (str(total - refund), "paid")
show("return refunded", f"{received['number']}: {refund} back to the card, once; order paid")

report = expect(login("manager").get("/reports/payments/"), 200)
assert Decimal(report["totals"]["refunded"]) >= refund, report["totals"]
show("payments report", report["totals"])
stub.shutdown()
print("payments walkthrough: OK")
