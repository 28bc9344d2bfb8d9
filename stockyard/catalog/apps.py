from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "stockyard.catalog"
    label = "catalog"
