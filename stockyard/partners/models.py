import pghistory
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from stockyard.core.decimals import AMOUNT_DIGITS, AMOUNT_PLACES
from stockyard.core.encryption import EncryptedTextField
from stockyard.core.models import TimeStampedModel


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


validate_currency_code = RegexValidator(
    r"^[A-Z]{3}\Z",
    "Enter an ISO 4217 currency code: three capital letters, like USD.",
    code="invalid_currency",
)


class Partner(TimeStampedModel):
    """What suppliers and customers share. Contact and tax details are encrypted at rest."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200, db_index=True)
    email = EncryptedTextField(blank=True, default="")
    phone = EncryptedTextField(blank=True, default="")
    tax_id = EncryptedTextField(blank=True, default="")
    currency = models.CharField(
        max_length=3, default=default_currency, validators=[validate_currency_code]
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@pghistory.track()
class Supplier(Partner):
    address = models.TextField(blank=True, default="")
    bank_account = EncryptedTextField(blank=True, default="")
    lead_time_days = models.PositiveIntegerField(default=0)


@pghistory.track()
class Customer(Partner):
    billing_address = models.TextField(blank=True, default="")
    shipping_address = models.TextField(blank=True, default="")
    credit_limit = models.DecimalField(
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        null=True,
        blank=True,
        help_text="In the customer's currency; empty: no limit.",
    )
