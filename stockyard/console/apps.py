from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The operator console (Vue 3, in ``frontend/``), built into this app's static files
    and served at ``/app/``."""

    name = "stockyard.console"
    label = "console"
