from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "stockyard.accounts"
    label = "accounts"

    def ready(self) -> None:
        from stockyard.accounts import (  # noqa: F401  (they register)
            openapi,  # the OAuth2 scheme
            revocation,  # token revocation on password, active flag and role changes
        )
