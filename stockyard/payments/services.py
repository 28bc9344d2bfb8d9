"""Writes of the payments app: manual payments, Stripe checkouts, Stripe's webhook
events and refunds.

Every write that changes what an order has received locks the order first (through
``sales.selectors.sales_order_lock``), so payments made at once can never together pay
more than is due, and then sets the order's ``amount_paid`` and ``payment_status``
through the sales services. A checkout calls Stripe outside any transaction; a refund
calls it under the order's lock, so two refunds cannot pay back the same money.
"""

from decimal import Decimal
from typing import Any

import structlog
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from stockyard.accounts.models import Actor, recorded_actor
from stockyard.core.decimals import ZERO, minor_unit, money
from stockyard.core.errors import Conflict, InvalidTransition, ValidationFailed
from stockyard.payments import gateway
from stockyard.payments.enums import PaymentMethod, PaymentProvider, PaymentStatus
from stockyard.payments.models import Payment, ProviderEvent
from stockyard.sales import selectors as sales_selectors
from stockyard.sales import services as sales_services
from stockyard.sales.enums import SalesOrderStatus
from stockyard.sales.models import SalesOrder

logger = structlog.get_logger("stockyard.payments")

PAYABLE = (
    SalesOrderStatus.CONFIRMED,
    SalesOrderStatus.PARTIALLY_SHIPPED,
    SalesOrderStatus.SHIPPED,
    SalesOrderStatus.DELIVERED,
)
RECEIVED = (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED)


def _payable(order_id: int) -> SalesOrder:
    """The order, locked, if it can take payments (confirmed and not cancelled)."""
    order = sales_selectors.sales_order_lock(order_id=order_id)
    if order.status not in PAYABLE:
        raise InvalidTransition(
            f"{order.number} is {order.status}: only confirmed orders take payments."
        )
    return order


def _due(order: SalesOrder, *, less_pending: bool = False) -> Decimal:
    due = order.total - order.amount_paid
    if less_pending:
        pending = order.payments.filter(status=PaymentStatus.PENDING).aggregate(
            sum=Sum("amount", default=ZERO)
        )["sum"]
        due -= pending
    return due


def _settle(order: SalesOrder) -> None:
    """Set the order's ``amount_paid`` from its payments (received less refunded)."""
    sums = order.payments.filter(status__in=RECEIVED).aggregate(
        received=Sum("amount", default=ZERO), refunded=Sum("amount_refunded", default=ZERO)
    )
    sales_services.sales_order_record_payments(
        order=order,
        amount_paid=sums["received"] - sums["refunded"],
        any_refunded=sums["refunded"] > 0,
    )


@transaction.atomic
def payment_create_manual(
    *, order_id: int, amount: Decimal, note: str = "", user: Actor = None
) -> Payment:
    """Record money received by hand (bank transfer, cash). Raises ``InvalidTransition``
    (409) for an order that is not confirmed, ``Conflict`` (409 ``conflict``) when
    ``amount`` is more than is still due."""
    order = _payable(order_id)
    if money(amount, order.currency) != amount:
        raise ValidationFailed(
            errors={
                "amount": [
                    f"{order.currency} amounts have {minor_unit(order.currency)} "
                    "decimal places at most (ISO 4217)."
                ]
            }
        )
    due = _due(order)
    if amount > due:
        message = f"Only {money(due, order.currency)} {order.currency} is due on {order.number}."
        raise Conflict(message, errors={"amount": [message]})
    payment = Payment.objects.create(
        sales_order=order,
        amount=amount,
        currency=order.currency,
        method=PaymentMethod.MANUAL,
        status=PaymentStatus.SUCCEEDED,
        provider=PaymentProvider.MANUAL,
        note=note,
        created_by=recorded_actor(user),
    )
    _settle(order)
    return payment


@transaction.atomic
def _checkout_open(order_id: int, user: Actor) -> Payment:
    order = _payable(order_id)
    due = _due(order, less_pending=True)
    if due <= 0:
        raise Conflict(f"Nothing is due on {order.number} beyond payments already under way.")
    return Payment.objects.create(
        sales_order=order,
        amount=due,
        currency=order.currency,
        method=PaymentMethod.CARD,
        status=PaymentStatus.PENDING,
        provider=PaymentProvider.STRIPE,
        created_by=recorded_actor(user),
    )


def payment_checkout(*, order_id: int, user: Actor = None) -> tuple[Payment, str]:
    """A pending card payment of what is still due, and the client secret of the Stripe
    PaymentIntent that the browser confirms it with (Stripe.js). The payment succeeds
    when Stripe's webhook says so. Raises ``CardPaymentsDisabled`` (409) without
    ``STRIPE_SECRET_KEY``, ``Conflict`` when nothing is due, ``PaymentProviderError``
    (502, the payment is marked failed) when Stripe refuses."""
    if not gateway.card_payments_enabled():
        raise gateway.CardPaymentsDisabled()
    payment = _checkout_open(order_id, user)
    try:
        intent_id, client_secret = gateway.payment_intent_create(
            amount=payment.amount,
            currency=payment.currency,
            payment_id=payment.pk,
            description=f"Stockyard sales order {payment.sales_order.number}",
        )
    except gateway.PaymentProviderError:
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.FAILED)
        raise
    payment.provider_reference = intent_id
    payment.save(update_fields=["provider_reference", "updated_at"])
    return payment, client_secret


# --- Stripe webhook events ------------------------------------------------------------


def stripe_event_receive(*, payload: bytes, signature: str) -> bool:
    """Verify and apply one Stripe webhook delivery. Each event id is applied once: the
    event is recorded in the transaction that applies it, under a unique constraint, so
    a redelivery (or a second delivery racing the first) finds it and does nothing.
    Answers whether this delivery applied it. Raises ``InvalidSignature`` (400)."""
    event = gateway.event_verify(payload=payload, signature=signature)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProviderEvent.objects.create(
                    provider=PaymentProvider.STRIPE, event_id=event["id"], type=event["type"]
                )
        except IntegrityError:
            return False
        handler = _HANDLERS.get(event["type"])
        if handler is not None:
            handler(event["data"]["object"])
    return True


def _locked_payment(intent_id: str) -> Payment | None:
    """The payment of a PaymentIntent, with its order locked first (the lock order of
    every payment write)."""
    found = (
        Payment.objects.filter(provider=PaymentProvider.STRIPE, provider_reference=intent_id)
        .values_list("pk", "sales_order_id")
        .first()
    )
    if found is None:
        logger.warning("stripe_event_for_unknown_payment", payment_intent=intent_id)
        return None
    payment_id, order_id = found
    sales_selectors.sales_order_lock(order_id=order_id)
    return Payment.objects.select_for_update().select_related("sales_order").get(pk=payment_id)


def _intent_succeeded(intent: dict[str, Any]) -> None:
    payment = _locked_payment(intent["id"])
    if payment is None or payment.status in RECEIVED:
        return
    payment.status = PaymentStatus.SUCCEEDED
    payment.save(update_fields=["status", "updated_at"])
    _settle(payment.sales_order)


def _intent_failed(intent: dict[str, Any]) -> None:
    payment = _locked_payment(intent["id"])
    if payment is None or payment.status != PaymentStatus.PENDING:
        return
    payment.status = PaymentStatus.FAILED
    payment.save(update_fields=["status", "updated_at"])


def _charge_refunded(charge: dict[str, Any]) -> None:
    payment = _locked_payment(charge.get("payment_intent") or "")
    if payment is None or payment.status not in RECEIVED:
        return
    refunded = min(
        gateway.from_minor_units(charge["amount_refunded"], payment.currency), payment.amount
    )
    _set_refunded(payment, refunded)
    _settle(payment.sales_order)


_HANDLERS = {
    "payment_intent.succeeded": _intent_succeeded,
    "payment_intent.payment_failed": _intent_failed,
    "charge.refunded": _charge_refunded,
}


# --- Refunds --------------------------------------------------------------------------


def _set_refunded(payment: Payment, refunded: Decimal) -> None:
    payment.amount_refunded = max(payment.amount_refunded, refunded)
    if payment.amount_refunded == payment.amount:
        payment.status = PaymentStatus.REFUNDED
    payment.save(update_fields=["amount_refunded", "status", "updated_at"])


@transaction.atomic
def payment_refund(*, order_id: int, amount: Decimal, reference: str) -> Decimal:
    """Pay back up to ``amount`` of what the order received, newest payment first:
    card payments through a Stripe refund, manual ones recorded as paid back by hand.
    ``reference`` (e.g. the return's number) keeps a retry from refunding twice.
    Answers the amount refunded (no more than was received). Raises
    ``ValidationFailed`` for an amount that is not positive."""
    if amount <= 0:
        raise ValidationFailed(errors={"amount": ["Must be greater than 0."]})
    order = sales_selectors.sales_order_lock(order_id=order_id)
    left = amount
    refundable = (
        order.payments.select_for_update()
        .filter(status__in=RECEIVED)
        .exclude(amount_refunded=F("amount"))
        .order_by("-id")
    )
    for payment in refundable:
        share = min(left, payment.amount - payment.amount_refunded)
        if payment.provider == PaymentProvider.STRIPE:
            gateway.refund_create(
                payment_intent=payment.provider_reference,
                amount=share,
                currency=payment.currency,
                refund_key=f"stockyard-refund-{reference}-{payment.pk}",
            )
        _set_refunded(payment, payment.amount_refunded + share)
        left -= share
        if left == 0:
            break
    _settle(order)
    return amount - left
