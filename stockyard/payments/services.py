"""Writes of the payments app: manual payments, Stripe checkouts, Stripe's webhook
events and refunds.

Every write that changes what an order has received locks the order first (through
``sales.selectors.sales_order_lock``), so payments made at once can never together pay
more than is due, and then sets the order's ``amount_paid`` and ``payment_status``
through the sales services. A checkout calls Stripe outside any transaction; a refund
calls it under the order's lock, so two refunds cannot pay back the same money.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import structlog
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from stockyard.accounts.models import Actor, recorded_actor
from stockyard.core.decimals import ZERO, minor_unit, money
from stockyard.core.dispatch import enqueue
from stockyard.core.errors import Conflict, InvalidTransition, ValidationFailed
from stockyard.payments import gateway, selectors
from stockyard.payments.enums import PaymentMethod, PaymentProvider, PaymentStatus
from stockyard.payments.models import Payment, ProviderEvent, Refund
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
REFUND_TASK = "stockyard.payments.tasks.refund_return"
REFUND_SWEEP_GRACE = timedelta(minutes=2)  # the task queued at receipt goes first
REFUND_SWEEP_WINDOW = timedelta(hours=24)  # how long Stripe keeps idempotency keys


def _payable(order_id: int) -> SalesOrder:
    """The order, locked, if it can take payments (confirmed and not cancelled)."""
    order = sales_selectors.sales_order_lock(order_id=order_id)
    if order.status not in PAYABLE:
        raise InvalidTransition(
            f"{order.number} is {order.status}: only confirmed orders take payments."
        )
    return order


def _due(order: SalesOrder, *, less_pending: bool = False) -> Decimal:
    """What the order still owes: ``total`` less the refunds of its received returns
    (goods sent back are not paid for) less ``amount_paid``."""
    owed = order.total - sales_selectors.sales_order_returned_total(order_id=order.pk)
    due = owed - order.amount_paid
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


def _require_places(amount: Decimal, currency: str) -> None:
    if money(amount, currency) != amount:
        raise ValidationFailed(
            errors={
                "amount": [
                    f"{currency} amounts have {minor_unit(currency)} "
                    "decimal places at most (ISO 4217)."
                ]
            }
        )


@transaction.atomic
def payment_create_manual(
    *, order_id: int, amount: Decimal, note: str = "", user: Actor = None
) -> Payment:
    """Record money received by hand (bank transfer, cash). Raises ``InvalidTransition``
    (409) for an order that is not confirmed, ``Conflict`` (409 ``conflict``) when
    ``amount`` is more than is still due."""
    order = _payable(order_id)
    _require_places(amount, order.currency)
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
def payment_refund(*, order_id: int, amount: Decimal, reference: str) -> Refund:
    """Pay back up to ``amount`` (in the order's currency) of what the order received,
    newest payment first: card payments through a Stripe refund, manual ones recorded as
    paid back by hand. Answers the ``Refund``: its ``amount`` is what was paid back, no
    more than the order had received (0 when it had received nothing).

    Applied once per ``reference`` (a return's number): the refund is recorded under a
    unique key in the transaction that applies it, with the order locked first, so a
    retry, a redelivered task or a concurrent call finds it and pays back nothing more
    (it answers the recorded refund). Raises ``ValidationFailed`` for an amount that is
    not positive or has more places than the currency; ``PaymentProviderError`` (502)
    when Stripe refuses: nothing is recorded, and a retry with the same ``reference``
    reuses Stripe's idempotency keys, so a refund Stripe already made is not made twice
    (Stripe keeps the keys 24 hours)."""
    if amount <= 0:
        raise ValidationFailed(errors={"amount": ["Must be greater than 0."]})
    order = sales_selectors.sales_order_lock(order_id=order_id)
    _require_places(amount, order.currency)
    applied = Refund.objects.filter(reference=reference).first()
    if applied is not None:
        return applied
    left = amount
    refundable = (
        order.payments.select_for_update()
        .filter(status__in=RECEIVED)
        .exclude(amount_refunded=F("amount"))
        .order_by("-id")
    )
    for payment in refundable:
        if left == 0:
            break
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
    _settle(order)
    return Refund.objects.create(
        sales_order=order,
        reference=reference,
        requested=amount,
        amount=amount - left,
        currency=order.currency,
    )


def return_refund(*, return_id: int) -> Refund | None:
    """Pay back a received customer return's ``refund_total`` to what its order was paid
    (``payment_refund`` with the return's number as the reference, so once per return).
    None for a return that is not received or refunds nothing. Raises
    ``PaymentProviderError`` when Stripe refuses (the refund sweep tries again)."""
    found = sales_selectors.customer_return_received(return_id=return_id)
    if found is None or found.refund_total <= 0:
        return None
    return payment_refund(
        order_id=found.sales_order_id, amount=found.refund_total, reference=str(found)
    )


def returns_refund_missing() -> int:
    """Queue the refund of every received return that has none recorded yet (its task
    was lost, or Stripe refused): those received between ``REFUND_SWEEP_WINDOW`` (Stripe
    keeps idempotency keys 24 hours) and ``REFUND_SWEEP_GRACE`` ago (the task queued at
    receipt goes first). Answers how many were queued."""
    now = timezone.now()
    missing = selectors.returns_without_refund(
        received_after=now - REFUND_SWEEP_WINDOW, received_before=now - REFUND_SWEEP_GRACE
    )
    for return_id in missing:
        enqueue(REFUND_TASK, return_id)
    return len(missing)
