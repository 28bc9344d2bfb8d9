from django.db import models


class PaymentMethod(models.TextChoices):
    MANUAL = "manual", "Manual (bank transfer, cash, cheque)"
    CARD = "card", "Card"


class PaymentStatus(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"


class PaymentProvider(models.TextChoices):
    MANUAL = "manual"
    STRIPE = "stripe"
