"""Bearer access tokens: the OAuth2 provider's (``/o/``) and simplejwt's JWTs.

Both arrive as ``Authorization: Bearer <token>`` (the WebSocket takes them as ``?token=``).
A JWT is three base64url segments joined by dots; the provider's tokens are opaque strings
of letters and digits. ``bearer_authenticate`` judges a token of either kind, and is the
one judgement the HTTP API (``OAuth2TokenAuthentication`` here, ``tokens.JWTAuthentication``)
and the WebSocket feed (``events.consumers``) share. Over HTTP, ``OAuth2TokenAuthentication``
claims every bearer token that is not JWT-shaped and leaves JWTs to ``JWTAuthentication``
(listed after it), so neither reads the other's tokens: a bad OAuth2 token is a 401 that
says so, and a JWT costs no token lookup.
"""

from dataclasses import dataclass
from typing import Any, cast

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import AccessToken
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import Request as OAuthlibRequest
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.tokens import Token

from stockyard.accounts.models import User
from stockyard.accounts.tokens import JWTAuthentication

JWT_SEGMENTS = 3


def bearer_token(request: Request) -> str | None:
    parts = get_authorization_header(request).split()
    if len(parts) != 2 or parts[0].lower() != b"bearer":
        return None
    return parts[1].decode("latin-1")


def is_jwt_shaped(token: str) -> bool:
    return len(token.split(".")) == JWT_SEGMENTS


@dataclass(frozen=True)
class BearerGrant:
    """Whom an access token speaks for, and until when.

    ``credentials`` is what DRF keeps as ``request.auth``: the provider's ``AccessToken``
    row (whose scopes narrow what the token may do) or simplejwt's validated token (no
    scopes: roles alone decide). ``expires_at`` is a Unix time in seconds.
    """

    user: User
    credentials: AccessToken | Token
    expires_at: float


class BearerTokenRefused(AuthenticationFailed):
    """A 401 ``not_authenticated``; ``challenge`` holds the RFC 6750 section 3 error
    attributes (``error``, ``error_description``) for ``WWW-Authenticate``, when known."""

    def __init__(self, detail: str, challenge: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.challenge = challenge or {}


def bearer_authenticate(token: str, *, uri: str = "") -> BearerGrant:
    """The grant of an access token of either kind.

    A JWT-shaped token is judged by ``tokens.JWTAuthentication`` (signature, expiry, the
    user's token epoch, an active user); any other by the OAuth2 provider's validator
    (RFC 6750: a known token, unexpired and unrevoked, of an active user). ``uri`` is the
    resource the token is presented to, which a token bound to resources (RFC 8707) must
    name; tokens bound to none (the console's) are good anywhere.

    Raises ``AuthenticationFailed`` (401 ``not_authenticated``) for any other token.
    """
    if is_jwt_shaped(token):
        return _jwt_grant(token)
    return _oauth2_grant(token, uri)


def _jwt_grant(token: str) -> BearerGrant:
    authentication = JWTAuthentication()
    validated = authentication.get_validated_token(token.encode())  # InvalidToken: a 401
    user = authentication.get_user(validated)
    return BearerGrant(user=user, credentials=validated, expires_at=float(validated["exp"]))


def _oauth2_grant(token: str, uri: str) -> BearerGrant:
    # The check oauthlib's resource endpoint makes of an Authorization header, minus the
    # header: the provider's validator, on a request that carries only the resource's URI.
    request = OAuthlibRequest(uri)
    if not oauth2_settings.OAUTH2_VALIDATOR_CLASS().validate_bearer_token(token, [], request):
        raise BearerTokenRefused(
            "The OAuth2 access token is invalid, expired or revoked.",
            challenge=dict(getattr(request, "oauth2_error", {})),
        )
    access_token: AccessToken = request.access_token
    user = access_token.user
    if user is None or not user.is_active:
        raise BearerTokenRefused("The OAuth2 access token belongs to no active user.")
    return BearerGrant(
        user=user, credentials=access_token, expires_at=access_token.expires.timestamp()
    )


class OAuth2TokenAuthentication(OAuth2Authentication):
    """Opaque bearer tokens, judged by ``bearer_authenticate``; ``request.auth`` is the
    ``AccessToken``. A refusal's RFC 6750 error goes into ``WWW-Authenticate``."""

    def authenticate(self, request: Request) -> tuple[Any, AccessToken] | None:
        token = bearer_token(request)
        if token is None or is_jwt_shaped(token):
            return None
        try:
            grant = bearer_authenticate(token, uri=request.build_absolute_uri())
        except BearerTokenRefused as refused:
            # authenticate_header puts it into WWW-Authenticate.
            cast(Any, request._request).oauth2_error = refused.challenge
            raise
        return grant.user, grant.credentials
