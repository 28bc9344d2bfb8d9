from django.db import models


class ShipmentStatus(models.TextChoices):
    PENDING = "pending"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
