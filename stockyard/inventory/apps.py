from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "stockyard.inventory"
    label = "inventory"
