"""OpenAPI security scheme for OAuth2 tokens (loaded by ``AccountsConfig.ready``).

drf-spectacular documents simplejwt's JWT bearer scheme; ``RevocableJWTScheme`` points it
at Stockyard's subclass (``accounts.tokens``). This names the OAuth2
authorization-code flow at ``/o/`` (``OAUTH2_*`` in ``SPECTACULAR_SETTINGS``) and, per
operation, the scope ``RolePermission`` asks of an OAuth2 token for that method.
"""

from typing import Any

from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import SAFE_METHODS


class OAuth2TokenScheme(DjangoOAuthToolkitScheme):
    target_class = "stockyard.accounts.authentication.OAuth2TokenAuthentication"
    name = "oauth2"

    def get_security_requirement(self, auto_schema: AutoSchema) -> dict[str, Any]:
        from oauth2_provider.settings import oauth2_settings

        safe = auto_schema.method in SAFE_METHODS
        scope = oauth2_settings.READ_SCOPE if safe else oauth2_settings.WRITE_SCOPE
        return {self.name: [scope]}


class RevocableJWTScheme(SimpleJWTScheme):
    target_class = "stockyard.accounts.tokens.JWTAuthentication"
