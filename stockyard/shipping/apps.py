from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "stockyard.shipping"
    label = "shipping"
