from django.db import models

from stockyard.core.jobs import JobStatus


class ImportKind(models.TextChoices):
    PRODUCTS = "products", "Products"
    CUSTOMERS = "customers", "Customers"
    SUPPLIERS = "suppliers", "Suppliers"
    OPENING_STOCK = "opening-stock", "Opening stock"
    PRICES = "prices", "Price updates"


ImportStatus = JobStatus  # failed: nothing was written; done: every row applied (or would be)
