from stockyard.core.errors import ApplicationError, Conflict


class CardPaymentsDisabled(Conflict):
    default_detail = "Card payments are not configured (STRIPE_SECRET_KEY is not set)."


class PaymentProviderError(ApplicationError):
    status = 502
    code = "payment_provider_error"
    title = "Payment provider error"
    default_detail = "The payment provider refused or did not answer; nothing was charged."


class InvalidSignature(ApplicationError):
    status = 400
    code = "invalid_signature"
    title = "Invalid signature"
    default_detail = "The Stripe-Signature header does not verify for this body."
