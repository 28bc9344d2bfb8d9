from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "stockyard.sales"
    label = "sales"

    def ready(self) -> None:
        from stockyard.inventory.documents import register_statuses
        from stockyard.sales.selectors import REFERENCE_TYPE, sales_order_statuses

        register_statuses(REFERENCE_TYPE, sales_order_statuses)
