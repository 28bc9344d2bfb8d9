from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "stockyard.purchasing"
    label = "purchasing"
