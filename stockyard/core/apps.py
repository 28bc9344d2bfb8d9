from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stockyard.core"
    label = "core"
