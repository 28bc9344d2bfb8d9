from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stockyard.core"
    label = "core"

    def ready(self) -> None:
        from stockyard.core import checks  # noqa: F401  (registers the system checks)
