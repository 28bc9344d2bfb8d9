"""OAuth2 access tokens from the provider at ``/o/``, beside simplejwt's JWTs.

Both arrive as ``Authorization: Bearer <token>``. A JWT is three base64url segments
joined by dots; the provider's tokens are opaque strings of letters and digits. This
class claims every bearer token that is not JWT-shaped and leaves JWTs to
``JWTAuthentication`` (listed after it), so neither reads the other's tokens: a bad OAuth2
token is a 401 that says so, and a JWT costs no token lookup.
"""

from typing import Any

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import AccessToken
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

JWT_SEGMENTS = 3


def bearer_token(request: Request) -> str | None:
    parts = get_authorization_header(request).split()
    if len(parts) != 2 or parts[0].lower() != b"bearer":
        return None
    return parts[1].decode("latin-1")


def is_jwt_shaped(token: str) -> bool:
    return len(token.split(".")) == JWT_SEGMENTS


class OAuth2TokenAuthentication(OAuth2Authentication):
    def authenticate(self, request: Request) -> tuple[Any, AccessToken] | None:
        token = bearer_token(request)
        if token is None or is_jwt_shaped(token):
            return None
        # The token is in the header. oauthlib also reads form bodies: hand it Django's own
        # request so that DRF's parsers are not run here (the idempotency middleware
        # authenticates before a view has chosen any).
        authenticated = super().authenticate(request._request)
        if authenticated is None:
            raise AuthenticationFailed("The OAuth2 access token is invalid, expired or revoked.")
        user, access_token = authenticated
        if user is None or not user.is_active:
            raise AuthenticationFailed("The OAuth2 access token belongs to no active user.")
        return user, access_token
