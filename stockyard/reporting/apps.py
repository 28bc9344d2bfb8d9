from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "stockyard.reporting"
    label = "reporting"
