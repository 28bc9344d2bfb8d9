from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "stockyard.sales"
    label = "sales"
