from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "stockyard.integrations"
    label = "integrations"
