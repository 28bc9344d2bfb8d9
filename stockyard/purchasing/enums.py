from django.db import models


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"
    CLOSED = "closed"


ON_ORDER_STATUSES = frozenset(
    {
        PurchaseOrderStatus.DRAFT,
        PurchaseOrderStatus.SUBMITTED,
        PurchaseOrderStatus.PARTIALLY_RECEIVED,
    }
)
"""Orders whose outstanding quantities count as ``on_order``: on their way, or drafted
and about to be (a draft already answers the need, so it is not suggested again)."""
