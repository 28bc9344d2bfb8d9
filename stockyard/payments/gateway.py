"""Stripe, through its official library: PaymentIntents and refunds out, signed webhook
events in. Nothing else in Stockyard talks to Stripe.

``STRIPE_SECRET_KEY`` turns card payments on; ``STRIPE_WEBHOOK_SECRET`` is the signing
secret of the webhook endpoint (``whsec_...``); ``STRIPE_API_BASE`` points the library at
another server (stripe-mock, a test stub). Amounts go to Stripe in the currency's minor
unit (cents), as its API wants them.
"""

from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings

from stockyard.core.decimals import minor_unit
from stockyard.payments.errors import CardPaymentsDisabled, InvalidSignature, PaymentProviderError


def card_payments_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def _client() -> stripe.StripeClient:
    if not card_payments_enabled():
        raise CardPaymentsDisabled()
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,  # type: ignore[arg-type]
        max_network_retries=2,
    )


def to_minor_units(amount: Decimal, currency: str) -> int:
    """``19.99`` USD → ``1999``, ``1999`` JPY → ``1999``: Stripe's integer amount in the
    currency's minor unit (ISO 4217)."""
    return int(amount.scaleb(minor_unit(currency)))


def from_minor_units(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-minor_unit(currency))


def payment_intent_create(
    *, amount: Decimal, currency: str, payment_id: int, description: str
) -> tuple[str, str]:
    """Ask Stripe for a PaymentIntent; answers ``(its id, its client secret)``. The
    payment id is the idempotency key, so a retried call makes no second intent.
    Raises ``CardPaymentsDisabled`` (409) or ``PaymentProviderError`` (502)."""
    try:
        intent = _client().v1.payment_intents.create(
            params={
                "amount": to_minor_units(amount, currency),
                "currency": currency.lower(),
                "description": description,
                "metadata": {"stockyard_payment": str(payment_id)},
                "automatic_payment_methods": {"enabled": True},
            },
            options={"idempotency_key": f"stockyard-payment-{payment_id}"},
        )
    except stripe.StripeError as exc:
        raise PaymentProviderError(f"Stripe: {exc.user_message or exc}") from exc
    return intent.id, intent.client_secret or ""


def refund_create(*, payment_intent: str, amount: Decimal, currency: str, refund_key: str) -> str:
    """Refund ``amount`` of a PaymentIntent; answers the refund's id. ``refund_key``
    makes a retry refund nothing twice. Raises ``PaymentProviderError``."""
    try:
        refund = _client().v1.refunds.create(
            params={"payment_intent": payment_intent, "amount": to_minor_units(amount, currency)},
            options={"idempotency_key": refund_key},
        )
    except stripe.StripeError as exc:
        raise PaymentProviderError(f"Stripe: {exc.user_message or exc}") from exc
    return refund.id


def event_verify(*, payload: bytes, signature: str) -> dict[str, Any]:
    """The event in ``payload`` if ``signature`` (the ``Stripe-Signature`` header)
    verifies with ``STRIPE_WEBHOOK_SECRET`` and is at most 5 minutes old, by Stripe's own
    verifier. Raises ``InvalidSignature`` (400) otherwise, ``CardPaymentsDisabled`` when
    no webhook secret is set."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise CardPaymentsDisabled("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET).")
    try:
        event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise InvalidSignature() from exc
    return event.to_dict()
