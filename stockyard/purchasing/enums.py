from django.db import models


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"
    CLOSED = "closed"


OPEN_STATUSES = frozenset({PurchaseOrderStatus.SUBMITTED, PurchaseOrderStatus.PARTIALLY_RECEIVED})
"""Orders whose outstanding quantities are on their way: they count as ``on_order``."""
