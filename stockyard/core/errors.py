"""The application error hierarchy.

Services raise these; one DRF exception handler (``core.problems``) renders them as
RFC 9457 problem+json. Each class carries the HTTP status and a stable ``code`` that
clients may rely on. Nothing here imports DRF.
"""

from collections.abc import Mapping, Sequence


class ApplicationError(Exception):
    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"
    default_detail: str = "The request cannot be processed."

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.detail = detail or self.default_detail
        self.errors = {key: list(messages) for key, messages in (errors or {}).items()}
        super().__init__(self.detail)


class ValidationFailed(ApplicationError):
    status = 400
    code = "validation_error"
    title = "Invalid input"
    default_detail = "The request has invalid fields."


class NotFound(ApplicationError):
    status = 404
    code = "not_found"
    title = "Not found"
    default_detail = "The resource does not exist."


class PermissionDenied(ApplicationError):
    status = 403
    code = "permission_denied"
    title = "Permission denied"
    default_detail = "You are not allowed to do this."


class Conflict(ApplicationError):
    status = 409
    code = "conflict"
    title = "Conflict"
    default_detail = "The request conflicts with the current state of the resource."


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "Invalid state transition"
    default_detail = "This action is not allowed in the resource's current state."


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    title = "Insufficient stock"
    default_detail = "Not enough stock is available."


class IdempotencyKeyInUse(Conflict):
    code = "idempotency_key_in_use"
    title = "Idempotency key in use"
    default_detail = "A request with this Idempotency-Key is still being processed."


class PreconditionFailed(ApplicationError):
    status = 412
    code = "precondition_failed"
    title = "Precondition failed"
    default_detail = "The resource has changed since you read it (If-Match does not match)."


class IdempotencyKeyReused(ApplicationError):
    status = 422
    code = "idempotency_key_reused"
    title = "Idempotency key reused"
    default_detail = "This Idempotency-Key was already used with a different request."


class RetryLater(ApplicationError):
    """An error the client may retry after ``retry_after`` seconds (RFC 9110 ``Retry-After``)."""

    def __init__(
        self,
        detail: str | None = None,
        *,
        retry_after: int,
        errors: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(detail, errors=errors)
        self.retry_after = max(1, int(retry_after))


class TooManyRequests(RetryLater):
    status = 429
    code = "throttled"
    title = "Too many requests"
    default_detail = "Too many requests. Retry after the time in Retry-After."


class ServiceUnavailable(RetryLater):
    status = 503
    code = "service_unavailable"
    title = "Service unavailable"
    default_detail = "The service is overloaded or a dependency is down. Retry shortly."
