from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for a newcomer's first run; it composes every app's services."""

    name = "stockyard.demo"
    label = "demo"
