"""Payments over HTTP: manual payments, overpayment, Stripe checkout at the HTTP
boundary, and the webhook receiver with signatures made by Stripe's scheme."""

import json
from decimal import Decimal

import pytest
import responses

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core.testing import assert_problem, run_concurrently
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import CustomerFactory
from stockyard.payments import services
from stockyard.payments.models import Payment, ProviderEvent
from stockyard.payments.tests.conftest import intent_event, signed
from stockyard.sales import services as sales
from stockyard.sales.services import OrderLineInput

URL = "/api/v1/payments/"
WEBHOOK = "/api/v1/payments/stripe/webhook/"
STRIPE_INTENTS = "https://api.stripe.com/v1/payment_intents"

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(client_for):
    return client_for(Role.SALES)


def order_payment(order, client) -> dict:
    body = client.get(f"/api/v1/sales-orders/{order.pk}/").json()
    return {"amount_paid": body["amount_paid"], "payment_status": body["payment_status"]}


def test_manual_payments_pay_an_order_in_parts(order, seller):
    response = seller.post(URL, {"sales_order": order.pk, "amount": "40.00", "note": "cash"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["currency"], body["method"], body["status"]) == (
        "40.00",
        "USD",
        "manual",
        "succeeded",
    )
    assert order_payment(order, seller) == {
        "amount_paid": "40.00",
        "payment_status": "partially_paid",
    }
    seller.post(URL, {"sales_order": order.pk, "amount": 60})
    assert order_payment(order, seller) == {"amount_paid": "100.00", "payment_status": "paid"}


def test_paying_more_than_is_due_is_a_conflict(order, seller):
    seller.post(URL, {"sales_order": order.pk, "amount": "90.00"})
    problem = assert_problem(
        seller.post(URL, {"sales_order": order.pk, "amount": "10.01"}), 409, "conflict"
    )
    assert problem["errors"]["amount"] == [f"Only 10.00 USD is due on {order.number}."]
    assert Payment.objects.count() == 1


def test_a_draft_order_takes_no_payment(order, seller):
    sales.sales_order_cancel(order=order, user=None)
    assert_problem(
        seller.post(URL, {"sales_order": order.pk, "amount": "1.00"}), 409, "invalid_transition"
    )


@pytest.mark.parametrize(
    ("amount", "field"), [("0", "amount"), ("-5", "amount"), ("1.001", "amount"), ("x", "amount")]
)
def test_bad_amounts_are_validation_errors(order, seller, amount, field):
    problem = assert_problem(
        seller.post(URL, {"sales_order": order.pk, "amount": amount}), 400, "validation_error"
    )
    assert field in problem["errors"]


def test_viewers_read_payments_but_cannot_record_them(order, seller, client_for):
    seller.post(URL, {"sales_order": order.pk, "amount": "1.00"})
    viewer = client_for(Role.VIEWER)
    assert viewer.get(URL, {"sales_order": order.pk}).json()["count"] == 1
    assert_problem(
        viewer.post(URL, {"sales_order": order.pk, "amount": "1"}), 403, "permission_denied"
    )


@pytest.mark.postgres
def test_concurrent_payments_never_overpay(order, transactional_db):
    """Five payments of 30.00 at once on 100.00: three fit, two are refused."""

    def pay(_):
        return services.payment_create_manual(order_id=order.pk, amount=Decimal("30.00"))

    outcomes = run_concurrently(pay, 5)
    assert sum(isinstance(outcome, Payment) for outcome in outcomes) == 3
    order.refresh_from_db()
    assert order.amount_paid == Decimal("90.00")


# --- Stripe -----------------------------------------------------------------------------


def test_checkout_without_stripe_configured_is_a_conflict(order, seller, settings):
    settings.STRIPE_SECRET_KEY = ""
    assert_problem(seller.post(f"/api/v1/sales-orders/{order.pk}/checkout/"), 409, "conflict")


@responses.activate
def test_checkout_creates_a_payment_intent_for_what_is_due(order, seller, stripe_settings):
    responses.post(
        STRIPE_INTENTS,
        json={"id": "pi_123", "object": "payment_intent", "client_secret": "pi_123_secret_abc"},
    )
    seller.post(URL, {"sales_order": order.pk, "amount": "25.00"})

    response = seller.post(f"/api/v1/sales-orders/{order.pk}/checkout/")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client_secret"] == "pi_123_secret_abc"
    assert body["payment"]["status"] == "pending"
    assert body["payment"]["amount"] == "75.00"
    assert body["payment"]["provider_reference"] == "pi_123"
    (call,) = responses.calls
    sent = dict(pair.split("=", 1) for pair in call.request.body.split("&"))
    assert (sent["amount"], sent["currency"]) == ("7500", "usd")
    assert call.request.headers["Authorization"] == "Bearer sk_test_stockyard"
    assert call.request.headers["Idempotency-Key"] == f"stockyard-payment-{body['payment']['id']}"
    # A second checkout while that one is under way has nothing left to charge.
    assert_problem(seller.post(f"/api/v1/sales-orders/{order.pk}/checkout/"), 409, "conflict")


@responses.activate
def test_stripe_refusing_fails_the_payment_with_a_502(order, seller, stripe_settings):
    responses.post(
        STRIPE_INTENTS,
        status=400,
        json={"error": {"type": "invalid_request_error", "message": "Amount too small"}},
    )
    response = seller.post(f"/api/v1/sales-orders/{order.pk}/checkout/")
    assert_problem(response, 502, "payment_provider_error")
    assert Payment.objects.get().status == "failed"


def card_payment(order, reference="pi_123"):
    return Payment.objects.create(
        sales_order=order,
        amount=Decimal("100.00"),
        currency="USD",
        method="card",
        status="pending",
        provider="stripe",
        provider_reference=reference,
    )


def deliver(api_client, payload, signature):
    return api_client.post(
        WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def test_a_signed_event_pays_the_order(order, api_client, seller, stripe_settings):
    payment = card_payment(order)
    response = deliver(api_client, *signed(intent_event("evt_1", "pi_123")))
    assert response.status_code == 200
    assert response.json() == {"received": True, "applied": True}
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert order_payment(order, seller) == {"amount_paid": "100.00", "payment_status": "paid"}


@pytest.mark.parametrize(
    "forge",
    [
        lambda payload, signature: (payload, signature.replace("v1=", "v1=0")),  # bad digest
        lambda payload, signature: (
            payload.replace(b"pi_123", b"pi_999"),
            signature,
        ),  # body changed
        lambda payload, signature: (payload, ""),  # no header
    ],
)
def test_a_forged_signature_is_refused(order, api_client, stripe_settings, forge):
    payment = card_payment(order)
    response = deliver(api_client, *forge(*signed(intent_event("evt_1", "pi_123"))))
    assert_problem(response, 400, "invalid_signature")
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert not ProviderEvent.objects.exists()


def test_an_event_signed_with_another_secret_or_too_old_is_refused(
    order, api_client, stripe_settings
):
    card_payment(order)
    event = intent_event("evt_1", "pi_123")
    assert_problem(
        deliver(api_client, *signed(event, secret="whsec_other")), 400, "invalid_signature"
    )
    assert_problem(deliver(api_client, *signed(event, at=1_000_000_000)), 400, "invalid_signature")


def test_an_event_replayed_is_applied_once(order, api_client, stripe_settings):
    payment = card_payment(order)
    refund = {
        "id": "evt_2",
        "object": "event",
        "type": "charge.refunded",
        "data": {"object": {"id": "ch_1", "payment_intent": "pi_123", "amount_refunded": 4000}},
    }
    deliver(api_client, *signed(intent_event("evt_1", "pi_123")))
    first = deliver(api_client, *signed(refund))
    # Stripe redelivers the refund; meanwhile the order took a manual payment again.
    again = deliver(api_client, *signed(refund))
    assert first.json()["applied"] is True
    assert again.status_code == 200 and again.json()["applied"] is False
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("40.00")
    order.refresh_from_db()
    assert (order.amount_paid, order.payment_status) == (Decimal("60.00"), "partially_paid")
    assert ProviderEvent.objects.filter(event_id="evt_2").count() == 1


@pytest.mark.postgres
def test_two_concurrent_deliveries_of_one_event_apply_it_once(
    order, stripe_settings, transactional_db
):
    card_payment(order)
    payload, signature = signed(
        {
            "id": "evt_9",
            "object": "event",
            "type": "charge.refunded",
            "data": {"object": {"id": "ch_1", "payment_intent": "pi_123", "amount_refunded": 100}},
        }
    )
    Payment.objects.update(status="succeeded")

    outcomes = run_concurrently(
        lambda _: services.stripe_event_receive(payload=payload, signature=signature), 4
    )

    assert sorted(outcomes) == [False, False, False, True]
    assert ProviderEvent.objects.count() == 1


def test_unknown_event_types_are_acknowledged(api_client, stripe_settings):
    event = {"id": "evt_x", "object": "event", "type": "customer.created", "data": {"object": {}}}
    response = deliver(api_client, *signed(event))
    assert response.json() == {"received": True, "applied": True}


def test_a_failed_intent_fails_the_payment(order, api_client, stripe_settings):
    payment = card_payment(order)
    deliver(api_client, *signed(intent_event("evt_1", "pi_123", "payment_intent.payment_failed")))
    payment.refresh_from_db()
    assert payment.status == "failed"
    order.refresh_from_db()
    assert order.payment_status == "unpaid"


@responses.activate
def test_a_refund_pays_back_card_payments_through_stripe(order, stripe_settings):
    responses.post("https://api.stripe.com/v1/refunds", json={"id": "re_1", "object": "refund"})
    payment = card_payment(order)
    Payment.objects.update(status="succeeded")
    refund = services.payment_refund(order_id=order.pk, amount=Decimal("100.00"), reference="RMA-1")
    assert refund.amount == Decimal("100.00")
    sent = dict(pair.split("=", 1) for pair in responses.calls[0].request.body.split("&"))
    assert (sent["payment_intent"], sent["amount"]) == ("pi_123", "10000")
    payment.refresh_from_db()
    assert payment.status == "refunded"
    order.refresh_from_db()
    assert (order.amount_paid, order.payment_status) == (Decimal("0.00"), "refunded")


def test_webhook_body_is_json_in_the_schema(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/payments/stripe/webhook/"]["post"]
    assert "400" in operation["responses"]
    assert json.dumps(operation).count("Stripe-Signature") >= 1


def test_the_smallest_payment_is_the_currencys_minor_unit(seller, settings):
    settings.DEFAULT_CURRENCY = "KWD"  # no exchange rate needed for a KWD order
    warehouse = WarehouseFactory()
    product = ProductFactory(price=Decimal("0.5"))
    put_stock(product, warehouse, 1)
    dinars = sales.sales_order_confirm(
        order=sales.sales_order_create(
            customer=CustomerFactory(currency="KWD"),
            warehouse=warehouse,
            lines=[OrderLineInput(product=product, quantity=Decimal(1))],
            user=None,
        ),
        user=None,
    )
    fils = seller.post(URL, {"sales_order": dinars.pk, "amount": "0.005"})
    assert fils.status_code == 201, fils.content  # 5 fils: KWD has 3 places (ISO 4217)
    assert fils.json()["amount"] == "0.005"
    too_fine = seller.post(URL, {"sales_order": dinars.pk, "amount": "0.0005"})
    assert_problem(too_fine, 400, "validation_error")
    assert_problem(
        seller.post(URL, {"sales_order": dinars.pk, "amount": "0"}), 400, "validation_error"
    )
