from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "stockyard.integrations"
    label = "integrations"

    def ready(self) -> None:
        from stockyard.core.metrics import register_collector
        from stockyard.integrations.metrics import BusinessCollector

        register_collector(BusinessCollector())
