import pghistory
from django.db import models
from django.db.models.functions import Lower

from stockyard.core.models import MoneyField, QuantityField, TimeStampedModel
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
class Product(TimeStampedModel):
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200, db_index=True)
    description = models.TextField(blank=True, default="")
    unit = models.CharField(max_length=16, default="pcs")
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
    price = MoneyField(default=0)
    cost = MoneyField(default=0)
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
