from django.db import models


class ImportKind(models.TextChoices):
    PRODUCTS = "products", "Products"
    CUSTOMERS = "customers", "Customers"
    SUPPLIERS = "suppliers", "Suppliers"
    OPENING_STOCK = "opening-stock", "Opening stock"
    PRICES = "prices", "Price updates"


class ImportStatus(models.TextChoices):
    """``failed``: nothing was written (a bad row, an unreadable file); ``done``: every
    row was applied, or would be (a dry run)."""

    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
