from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "stockyard.imports"
    label = "imports"
