import json
import time
from decimal import Decimal

import pytest
import stripe

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import CustomerFactory
from stockyard.sales import services as sales
from stockyard.sales.services import OrderLineInput

WEBHOOK_SECRET = "whsec_test_stockyard"


@pytest.fixture
def order(db):
    """A confirmed order of 100.00 USD."""
    warehouse = WarehouseFactory()
    product = ProductFactory(price=Decimal("25.00"))
    put_stock(product, warehouse, 10)
    created = sales.sales_order_create(
        customer=CustomerFactory(currency="USD"),
        warehouse=warehouse,
        lines=[OrderLineInput(product=product, quantity=Decimal(4))],
        user=None,
    )
    return sales.sales_order_confirm(order=created, user=None)


@pytest.fixture
def stripe_settings(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_stockyard"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = ""
    return settings


def signed(
    event: dict, *, secret: str = WEBHOOK_SECRET, at: int | None = None
) -> tuple[bytes, str]:
    """The event as Stripe sends it: the body, and its ``Stripe-Signature`` made with
    Stripe's own scheme (HMAC-SHA256 of ``"<t>.<body>"``)."""
    payload = json.dumps(event)
    timestamp = at or int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload}", secret)
    return payload.encode(), f"t={timestamp},v1={signature}"


def intent_event(event_id: str, intent_id: str, type: str = "payment_intent.succeeded") -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": type,
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "data": {"object": {"id": intent_id, "object": "payment_intent", "status": "succeeded"}},
    }
