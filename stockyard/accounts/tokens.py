"""JWTs that can all be revoked at once, and refresh tokens stored only as digests.

Every user has a ``token_epoch``; each refresh token carries the epoch it was issued in
(claim ``epoch``), and access tokens made from it inherit the claim. Changing a user's
password, roles or active flag (by any path: ``accounts.revocation``), or logging out,
moves the epoch on (``accounts.services.user_tokens_revoke``): every earlier token,
access or refresh, then fails with 401 ``not_authenticated``. One integer compare per
request, no token list.

simplejwt keeps a row per refresh token (``OutstandingToken``) with the token's full text;
``token_digest`` replaces it before it is saved, so a database dump holds no usable token.
"""

import hashlib
from typing import Any, cast

from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import authentication, serializers, tokens
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from stockyard.accounts.models import User
from stockyard.accounts.services import user_tokens_revoke
from stockyard.core.compiled import by_primary_key

EPOCH_CLAIM = "epoch"
DIGEST_PREFIX = "sha256:"
REVOKED_DETAIL = "This token was revoked (password, roles or access changed, or logged out)."


def token_digest(token: str) -> str:
    return DIGEST_PREFIX + hashlib.sha256(token.encode()).hexdigest()


@receiver(pre_save, sender=OutstandingToken)
def _store_digest_only(
    sender: type[OutstandingToken], instance: OutstandingToken, **_: Any
) -> None:
    if not instance.token.startswith(DIGEST_PREFIX):
        instance.token = token_digest(instance.token)


def is_current(payload: Any, user: Any) -> bool:
    """Whether a token payload was issued in ``user``'s current epoch (tokens from before
    epochs existed count as epoch 0)."""
    return int(payload.get(EPOCH_CLAIM, 0)) == user.token_epoch


def _token_user(payload: Any) -> User | None:
    return User.objects.filter(pk=payload.get(api_settings.USER_ID_CLAIM)).first()


class RefreshToken(tokens.RefreshToken):
    @classmethod
    def for_user(cls, user: Any) -> "RefreshToken":
        token = cast(RefreshToken, super().for_user(user))
        token[EPOCH_CLAIM] = user.token_epoch
        # simplejwt recorded the token before the claim was added: record the final one.
        OutstandingToken.objects.filter(jti=token[api_settings.JTI_CLAIM]).update(
            token=token_digest(str(token))
        )
        return token


class TokenObtainSerializer(serializers.TokenObtainPairSerializer):
    token_class = RefreshToken


class TokenRefreshSerializer(serializers.TokenRefreshSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refresh = self.token_class(attrs["refresh"])
        user = _token_user(refresh.payload)
        if user is None or not is_current(refresh.payload, user):
            raise InvalidToken(REVOKED_DETAIL)
        return super().validate(attrs)


_TOKEN_USER = by_primary_key(User)
"""The user of a token: the read of every request with a JWT, compiled once per process."""


class JWTAuthentication(authentication.JWTAuthentication):
    def get_user(self, validated_token: Any) -> Any:
        """The token's user, refused as simplejwt refuses one (no user id: ``InvalidToken``;
        no such user: ``user_not_found``; inactive: ``user_inactive``), or with
        ``token_not_valid`` when the token is of an earlier epoch. The user is read by a
        statement compiled once, where simplejwt's ``objects.get`` built and compiled it
        for every request (``USER_ID_FIELD`` is the primary key, ``CHECK_REVOKE_TOKEN``
        off: the epoch revokes)."""
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as missing:
            no_id = _("Token contained no recognizable user identification")
            raise InvalidToken(str(no_id)) from missing
        user = _TOKEN_USER.one(user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if not is_current(validated_token, user):
            raise AuthenticationFailed(REVOKED_DETAIL, code="token_not_valid")
        return user


def logout(*, refresh: str) -> None:
    """Log the refresh token's user out everywhere: the token is blacklisted and every
    token issued to the user so far is revoked.

    Raises ``TokenError`` for a malformed, expired or already revoked token.
    """
    token = RefreshToken(cast(Any, refresh))
    user = _token_user(token.payload)
    if user is None or not is_current(token.payload, user):
        raise TokenError(REVOKED_DETAIL)
    token.blacklist()
    user_tokens_revoke(user=user)
