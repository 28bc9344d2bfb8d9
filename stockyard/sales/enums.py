from django.db import models


class SalesOrderStatus(models.TextChoices):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class ReturnDisposition(models.TextChoices):
    RESTOCK = "restock", "Back into stock"
    SCRAP = "scrap", "Scrapped"


class PaymentState(models.TextChoices):
    """How much of an order has been paid (see ``sales_order_record_payments``)."""

    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    REFUNDED = "refunded"
