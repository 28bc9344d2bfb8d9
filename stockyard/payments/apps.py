from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "stockyard.payments"
    label = "payments"
