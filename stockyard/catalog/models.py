import pghistory
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Lower

from stockyard.core.decimals import QUANTITY_PLACES
from stockyard.core.models import PriceField, QuantityField, RateField, TimeStampedModel
from stockyard.partners.models import default_currency, validate_currency_code


@pghistory.track()
class Category(TimeStampedModel):
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                "parent", Lower("name"), name="category_unique_name_per_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Unit(TimeStampedModel):
    """A unit of measure: how many decimals a quantity of a product in it may have
    (``pcs`` 0: no half pieces; ``kg`` 3: grams)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    decimal_places = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(QUANTITY_PLACES)],
        help_text="Decimals a quantity in this unit may have, 0 to 3.",
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decimal_places__lte=QUANTITY_PLACES),
                name="unit_decimal_places_0_3",
            )
        ]

    def __str__(self) -> str:
        return self.code


@pghistory.track()
class ExchangeRate(TimeStampedModel):
    """From ``valid_from`` on (until a later rate of the pair), one ``base`` is worth
    ``rate`` of ``quote``: base EUR, quote JPY, rate 162.5."""

    base = models.CharField(max_length=3, validators=[validate_currency_code])
    quote = models.CharField(max_length=3, validators=[validate_currency_code])
    rate = RateField()
    valid_from = models.DateField()

    class Meta:
        ordering = ["base", "quote", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["base", "quote", "valid_from"], name="exchange_rate_unique_per_day"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_gt_0"),
            models.CheckConstraint(
                condition=~models.Q(base=models.F("quote")), name="exchange_rate_two_currencies"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} from {self.valid_from}"


@pghistory.track()
class Product(TimeStampedModel):
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200, db_index=True)
    description = models.TextField(blank=True, default="")
    unit = models.ForeignKey(
        Unit,
        to_field="code",
        db_column="unit",
        default="pcs",
        on_delete=models.PROTECT,
        related_name="products",
    )
    barcode = models.CharField(max_length=64, blank=True, default="", db_index=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    supplier = models.ForeignKey(
        "partners.Supplier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        help_text="Default supplier, used by reorder suggestions.",
    )
    price = PriceField(default=0)
    cost = PriceField(default=0)
    currency = models.CharField(
        max_length=3, default=default_currency, validators=[validate_currency_code]
    )
    reorder_point = QuantityField(default=0)
    reorder_quantity = QuantityField(default=0)
    lead_time_days = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sku"]
        indexes = [  # lists in SKU order (products, stock levels) read it instead of sorting
            models.Index(fields=["sku"], name="product_sku_idx"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("sku"), name="product_unique_sku_ci"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_gte_0"),
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="product_cost_gte_0"),
            models.CheckConstraint(
                condition=models.Q(reorder_point__gte=0, reorder_quantity__gte=0),
                name="product_reorder_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"
