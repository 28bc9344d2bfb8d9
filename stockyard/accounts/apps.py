from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "stockyard.accounts"
    label = "accounts"
