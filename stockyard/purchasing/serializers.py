"""The shapes of the purchasing API. Business rules live in ``services``."""

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from stockyard.catalog.models import Product
from stockyard.core.decimals import QUANTITY_DIGITS, QUANTITY_PLACES
from stockyard.core.serializers import AmountField, LineCountField, document_lines
from stockyard.inventory.models import Warehouse
from stockyard.partners.models import Supplier
from stockyard.purchasing.models import PurchaseOrder, PurchaseOrderLine
from stockyard.purchasing.services import LineReceipt, OrderLine


class PositiveQuantityField(serializers.DecimalField):
    default_error_messages = {"not_positive": "Must be greater than 0."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES, **kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        value: Decimal = super().to_internal_value(data)
        if value <= 0:
            self.fail("not_positive")
        return value


class PurchaseOrderLineSerializer(serializers.ModelSerializer[PurchaseOrderLine]):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    quantity = PositiveQuantityField()
    line_subtotal = AmountField(currency="order.currency")
    line_tax = AmountField(currency="order.currency")
    line_total = AmountField(currency="order.currency")

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id",
            "product",
            "product_sku",
            "quantity",
            "quantity_received",
            "quantity_returned",
            "unit_cost",
            "exchange_rate",
            "tax_rate",
            "line_subtotal",
            "line_tax",
            "line_total",
        ]
        read_only_fields = ["quantity_received", "quantity_returned", "exchange_rate"]
        extra_kwargs = {
            "unit_cost": {
                "required": False,
                "min_value": Decimal(0),
                "help_text": "In the order's currency, up to 4 places. Defaults to the "
                "product's cost, converted at the exchange rate valid on the order date.",
            },
            "tax_rate": {"required": False, "min_value": Decimal(0), "max_value": Decimal(100)},
        }


class PurchaseOrderSerializer(serializers.ModelSerializer[PurchaseOrder]):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all())
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    lines = document_lines(PurchaseOrderLineSerializer, required=False)
    line_count = LineCountField()
    subtotal = AmountField()
    tax_total = AmountField()
    total = AmountField()

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "supplier",
            "supplier_name",
            "warehouse",
            "warehouse_code",
            "status",
            "currency",
            "order_date",
            "expected_date",
            "notes",
            "lines",
            "line_count",
            "subtotal",
            "tax_total",
            "total",
            "exchange_rate",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "subtotal",
            "tax_total",
            "total",
            "exchange_rate",
            "created_by",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "currency": {"required": False, "help_text": "Defaults to the supplier's currency."},
            "order_date": {"help_text": "Defaults to today in the business time zone."},
            "exchange_rate": {
                "help_text": "DEFAULT_CURRENCY per unit of the order's currency on its "
                "order date; reports convert the order's amounts with it."
            },
        }

    def service_arguments(self) -> dict[str, Any]:
        """The validated input as ``purchase_order_create``/``_update`` take it."""
        data = dict(self.validated_data)
        if "lines" in data:
            data["lines"] = [OrderLine(**line) for line in data["lines"]]
        return data


class ReceiptLineSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(help_text="Id of a line of this order.")
    quantity = PositiveQuantityField()


class ReceiveSerializer(serializers.Serializer[Any]):
    lines = ReceiptLineSerializer(many=True, allow_empty=False)

    def receipts(self) -> list[LineReceipt]:
        return [
            LineReceipt(line["line"], line["quantity"]) for line in self.validated_data["lines"]
        ]


class ReturnToSupplierSerializer(ReceiveSerializer):
    """Received goods going back to the supplier: ``{"lines": [{"line", "quantity"}]}``."""


class FromSuggestionsSerializer(serializers.Serializer[Any]):
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())


class ReorderSuggestionSerializer(serializers.Serializer[Any]):
    product = serializers.IntegerField()
    product_sku = serializers.CharField()
    product_name = serializers.CharField()
    warehouse = serializers.IntegerField()
    warehouse_code = serializers.CharField()
    supplier = serializers.IntegerField(allow_null=True, help_text="The default supplier.")
    supplier_name = serializers.CharField(allow_null=True)
    available = serializers.DecimalField(QUANTITY_DIGITS, QUANTITY_PLACES)
    on_order = serializers.DecimalField(QUANTITY_DIGITS, QUANTITY_PLACES)
    reorder_point = serializers.DecimalField(QUANTITY_DIGITS, QUANTITY_PLACES)
    reorder_quantity = serializers.DecimalField(QUANTITY_DIGITS, QUANTITY_PLACES)
    suggested_quantity = serializers.DecimalField(QUANTITY_DIGITS, QUANTITY_PLACES)


class ReorderSuggestionFilterSerializer(serializers.Serializer[Any]):
    warehouse = serializers.IntegerField(required=False)
    product = serializers.IntegerField(required=False)
    supplier = serializers.IntegerField(required=False)


class SkippedSuggestionSerializer(serializers.Serializer[Any]):
    product = serializers.IntegerField(source="suggestion.product")
    product_sku = serializers.CharField(source="suggestion.product_sku")
    suggested_quantity = serializers.DecimalField(
        QUANTITY_DIGITS, QUANTITY_PLACES, source="suggestion.suggested_quantity"
    )
    reason = serializers.CharField()


class FromSuggestionsResultSerializer(serializers.Serializer[Any]):
    orders = PurchaseOrderSerializer(many=True)
    skipped = SkippedSuggestionSerializer(many=True)
