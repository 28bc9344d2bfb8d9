"""Refunds of customer returns: a received return pays back its ``refund_total`` to what
the order was paid, once per return, through Stripe at the HTTP boundary for card
payments and as a recorded refund for manual ones."""

from datetime import timedelta
from decimal import Decimal

import pytest
import responses
from django.utils import timezone

from stockyard.accounts.roles import Role
from stockyard.core.errors import ValidationFailed
from stockyard.core.testing import assert_problem, run_concurrently
from stockyard.payments import services, tasks
from stockyard.payments.models import Payment, Refund
from stockyard.payments.tests.conftest import intent_event, signed
from stockyard.sales import returns
from stockyard.sales.models import CustomerReturn
from stockyard.sales.returns import ReturnLineInput
from stockyard.sales.tests.factories import ship

pytestmark = pytest.mark.django_db

D = Decimal
STRIPE_REFUNDS = "https://api.stripe.com/v1/refunds"


@pytest.fixture
def shipped(order):
    """The payments' 100.00 USD order (4 x 25.00), all of it shipped."""
    ship(order, 4)
    return order


@pytest.fixture
def manager(client_for):
    return client_for(Role.MANAGER)


def pay(order, amount: str) -> Payment:
    return services.payment_create_manual(order_id=order.pk, amount=D(amount))


def paid_by_card(order) -> Payment:
    """A card payment of the whole 100.00, paid as Stripe's signed webhook says (needs
    ``stripe_settings``)."""
    payment = Payment.objects.create(
        sales_order=order,
        amount=D("100.00"),
        currency="USD",
        method="card",
        status="pending",
        provider="stripe",
        provider_reference="pi_123",
    )
    payload, signature = signed(intent_event("evt_paid", "pi_123"))
    assert services.stripe_event_receive(payload=payload, signature=signature)
    return payment


def receive_return(client, order, quantity: int, capture) -> dict:
    """Request and receive a return of ``quantity`` through the API, running what the
    receipt queues after commit (the refund) as a worker would."""
    line = order.lines.get()
    created = client.post(
        "/api/v1/returns/",
        {"sales_order": order.pk, "lines": [{"sales_order_line": line.pk, "quantity": quantity}]},
        format="json",
    )
    assert created.status_code == 201, created.content
    with capture(execute=True):
        received = client.post(f"/api/v1/returns/{created.json()['id']}/receive/")
    assert received.status_code == 200, received.content
    return received.json()


def order_payment(order) -> tuple[Decimal, str]:
    order.refresh_from_db()
    return order.amount_paid, order.payment_status


def test_receiving_a_return_refunds_a_manual_payment_once(
    shipped, manager, django_capture_on_commit_callbacks
):
    payment = pay(shipped, "100.00")

    rma = receive_return(manager, shipped, 1, django_capture_on_commit_callbacks)

    refund = Refund.objects.get()
    assert (refund.reference, refund.requested, refund.amount) == (rma["number"], D(25), D(25))
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.status) == (D("25.00"), "succeeded")
    # 75.00 received for the 75.00 still owed (the returned goods are not paid for).
    assert order_payment(shipped) == (D("75.00"), "paid")
    # The task delivered again (a retry, a redelivery, the sweep) pays back nothing more.
    assert tasks.refund_return.delay(rma["id"]).get() == "25.00"
    assert Refund.objects.count() == 1
    payment.refresh_from_db()
    assert payment.amount_refunded == D("25.00")
    report = manager.get("/api/v1/reports/payments/?group_by=customer").json()
    (row,) = report["rows"]
    assert (row["received"], row["refunded"], row["net"]) == ("100.00", "25.00", "75.00")


@responses.activate
def test_a_card_payment_is_refunded_through_stripe_once(
    shipped, manager, stripe_settings, django_capture_on_commit_callbacks
):
    responses.post(STRIPE_REFUNDS, json={"id": "re_1", "object": "refund"})
    payment = paid_by_card(shipped)

    rma = receive_return(manager, shipped, 2, django_capture_on_commit_callbacks)
    tasks.refund_return.delay(rma["id"]).get()  # a retry

    (call,) = responses.calls
    sent = dict(pair.split("=", 1) for pair in call.request.body.split("&"))
    assert (sent["payment_intent"], sent["amount"]) == ("pi_123", "5000")
    assert call.request.headers["Idempotency-Key"] == (
        f"stockyard-refund-{rma['number']}-{payment.pk}"
    )
    payment.refresh_from_db()
    assert payment.amount_refunded == D("50.00")
    assert order_payment(shipped) == (D("50.00"), "paid")


def test_a_refund_never_pays_back_more_than_was_paid(
    shipped, manager, django_capture_on_commit_callbacks
):
    pay(shipped, "30.00")
    receive_return(manager, shipped, 2, django_capture_on_commit_callbacks)  # 50.00 back
    assert Refund.objects.get().amount == D("30.00")
    assert order_payment(shipped) == (D("0.00"), "refunded")
    receive_return(manager, shipped, 2, django_capture_on_commit_callbacks)  # nothing left
    assert sorted(Refund.objects.values_list("requested", "amount")) == [
        (D(50), D(0)),
        (D(50), D(30)),
    ]
    assert Payment.objects.get().amount_refunded == D("30.00")


def test_a_return_before_payment_lowers_what_is_due(
    shipped, manager, django_capture_on_commit_callbacks
):
    receive_return(manager, shipped, 1, django_capture_on_commit_callbacks)
    assert Refund.objects.get().amount == D(0)
    message = "Only 75.00 USD is due"
    response = manager.post("/api/v1/payments/", {"sales_order": shipped.pk, "amount": "100.00"})
    assert message in assert_problem(response, 409, "conflict")["detail"]
    pay(shipped, "75.00")
    assert order_payment(shipped) == (D("75.00"), "paid")


@pytest.mark.postgres
def test_concurrent_refunds_of_one_return_pay_back_once(order, transactional_db):
    pay(order, "100.00")

    outcomes = run_concurrently(
        lambda _: services.payment_refund(
            order_id=order.pk, amount=D("30.00"), reference="RMA-000042"
        ),
        4,
    )

    assert {outcome.pk for outcome in outcomes} == {Refund.objects.get().pk}
    assert Payment.objects.get().amount_refunded == D("30.00")
    assert order_payment(order) == (D("70.00"), "partially_paid")


@responses.activate
def test_stripe_refusing_leaves_the_return_received_and_the_sweep_refunds_it(
    shipped, manager, stripe_settings, django_capture_on_commit_callbacks
):
    refused = responses.post(
        STRIPE_REFUNDS,
        status=402,
        json={"error": {"type": "card_error", "message": "Charge is disputed."}},
    )
    payment = paid_by_card(shipped)

    rma = receive_return(manager, shipped, 1, django_capture_on_commit_callbacks)

    assert rma["status"] == "received"
    assert not Refund.objects.exists()
    payment.refresh_from_db()
    assert payment.amount_refunded == D(0)
    # Stripe takes it later: the sweep queues what has no refund yet, once it is past
    # the grace period and within Stripe's idempotency window.
    responses.remove(refused)
    responses.post(STRIPE_REFUNDS, json={"id": "re_2", "object": "refund"})
    received = CustomerReturn.objects.filter(pk=rma["id"])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.returns_refund_missing() == 0  # just received: its task goes first
    received.update(received_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.returns_refund_missing() == 1
    assert Refund.objects.get().amount == D("25.00")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.returns_refund_missing() == 0


def test_the_sweep_leaves_returns_older_than_stripes_idempotency_window(
    shipped, manager, django_capture_on_commit_callbacks
):
    rma = returns.customer_return_request(
        sales_order=shipped, lines=[ReturnLineInput(shipped.lines.get(), D(1))], user=None
    )
    returns.customer_return_receive(customer_return=rma, user=None)  # not committed: no task
    CustomerReturn.objects.filter(pk=rma.pk).update(received_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.returns_refund_missing() == 0
    assert not Refund.objects.exists()


def test_refund_amounts_are_checked(order):
    with pytest.raises(ValidationFailed):
        services.payment_refund(order_id=order.pk, amount=D("0.00"), reference="RMA-1")
    with pytest.raises(ValidationFailed):
        services.payment_refund(order_id=order.pk, amount=D("1.001"), reference="RMA-1")
