from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "stockyard.accounts"
    label = "accounts"

    def ready(self) -> None:
        from stockyard.accounts import openapi  # noqa: F401  (registers the OAuth2 scheme)
