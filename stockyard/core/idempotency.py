"""Idempotency keys for every POST under ``/api/v1/``.

The first response (status and body) to a POST with an ``Idempotency-Key`` is stored for
24 h per user and key, its body encrypted with ``FIELD_ENCRYPTION_KEYS``. A retry with the
same key and body gets it again with ``Idempotent-Replayed: true`` and nothing is
performed; the same key with another body is refused with 422 ``idempotency_key_reused``;
a retry while the first request is still running gets 409 ``idempotency_key_in_use``.
5xx responses are not stored, so a retry after a failure runs again. Anonymous requests
carry no key scope and are not recorded.
"""

import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.settings import api_settings

from stockyard.core import errors
from stockyard.core.encryption import decrypt_bytes, encrypt_bytes
from stockyard.core.middleware import SyncAndAsyncMiddleware
from stockyard.core.models import IdempotencyRecord
from stockyard.core.problems import application_error_response

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
API_PREFIX = "/api/v1/"


@dataclass(frozen=True)
class StoredResponse:
    status: int
    content_type: str
    location: str
    body: bytes

    def to_response(self) -> HttpResponse:
        response = HttpResponse(self.body, status=self.status, content_type=self.content_type)
        if self.location:
            response["Location"] = self.location
        response[REPLAYED_HEADER] = "true"
        return response


def request_fingerprint(request: HttpRequest) -> str:
    """Hash of method, path and body; JSON bodies are compared by content, not layout."""
    body = request.body
    with contextlib.suppress(ValueError, RecursionError):
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def idempotency_begin(
    *, user: Any, key: str, fingerprint: str
) -> IdempotencyRecord | StoredResponse:
    """Claim ``key`` for this request, or return the response stored for it.

    Raises ``IdempotencyKeyReused`` or ``IdempotencyKeyInUse``.
    """
    now = timezone.now()
    claim = {
        "fingerprint": fingerprint,
        "created_at": now,
        "expires_at": now + settings.IDEMPOTENCY_KEY_TTL,
        "locked_until": now + settings.IDEMPOTENCY_LOCK_TIMEOUT,
        "response_status": None,
        "response_content_type": "",
        "response_location": "",
        "response_body": b"",
    }
    with transaction.atomic():
        record, created = IdempotencyRecord.objects.select_for_update().get_or_create(
            user=user, key=key, defaults=claim
        )
        if created:
            return record
        if record.expires_at <= now:
            return _reclaim(record, claim)
        if record.fingerprint != fingerprint:
            raise errors.IdempotencyKeyReused()
        if record.response_status is None:
            if record.locked_until > now:
                raise errors.IdempotencyKeyInUse()
            return _reclaim(record, claim)  # the first attempt died without an answer
        return StoredResponse(
            status=record.response_status,
            content_type=record.response_content_type,
            location=record.response_location,
            body=decrypt_bytes(bytes(record.response_body)),
        )


def _reclaim(record: IdempotencyRecord, claim: dict[str, Any]) -> IdempotencyRecord:
    for field, value in claim.items():
        setattr(record, field, value)
    record.save()
    return record


def idempotency_finish(*, record: IdempotencyRecord, response: HttpResponse) -> None:
    """Store a final response; forget the key after a server error so a retry runs again."""
    if response.status_code >= 500 or isinstance(response, StreamingHttpResponse):
        record.delete()
        return
    record.response_status = response.status_code
    record.response_content_type = response.get("Content-Type", "")
    record.response_location = response.get("Location", "")
    # Encrypted at rest: a stored answer may hold partners' contact and bank details.
    record.response_body = encrypt_bytes(response.content)
    record.save(
        update_fields=[
            "response_status",
            "response_content_type",
            "response_location",
            "response_body",
        ]
    )


def idempotency_purge_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def _authenticated_user(request: HttpRequest) -> Any | None:
    """Run the API's authenticators early: keys are scoped per user."""
    classes = cast(list[type[BaseAuthentication]], api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    authenticators = [cls() for cls in classes]
    try:
        user = Request(request, authenticators=authenticators).user
    except APIException:
        return None  # the view itself answers 401/403
    return user if user.is_authenticated else None


def _carries_key(request: HttpRequest) -> bool:
    return (
        request.method == "POST"
        and HEADER in request.headers
        and request.path.startswith(API_PREFIX)
    )


class IdempotencyMiddleware(SyncAndAsyncMiddleware):
    """A POST carrying a key is handled in a worker thread in either mode, as its
    records live in the database."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        return self._respond_once(request, self.get_response)

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        if not _carries_key(request):
            return await self.get_response(request)
        respond_once = sync_to_async(self._respond_once)
        return await respond_once(request, async_to_sync(self.get_response))

    def _respond_once(
        self, request: HttpRequest, get_response: Callable[[HttpRequest], HttpResponse]
    ) -> HttpResponse:
        if not _carries_key(request):
            return get_response(request)
        key = request.headers[HEADER]
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            return application_error_response(
                errors.ValidationFailed(
                    f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.",
                    errors={HEADER: ["Invalid length."]},
                )
            )
        user = _authenticated_user(request)
        if user is None:
            return get_response(request)
        try:
            claimed = idempotency_begin(
                user=user, key=key, fingerprint=request_fingerprint(request)
            )
        except errors.ApplicationError as exc:
            return application_error_response(exc)
        if isinstance(claimed, StoredResponse):
            return claimed.to_response()
        try:
            response = get_response(request)
        except BaseException:
            claimed.delete()
            raise
        idempotency_finish(record=claimed, response=response)
        return response
