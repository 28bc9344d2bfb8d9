from decimal import Decimal
from typing import Any

from rest_framework import serializers

from stockyard.core.decimals import QUANTITY_DIGITS, QUANTITY_PLACES
from stockyard.core.serializers import (
    AmountField,
    BatchedListSerializer,
    BatchedPrimaryKeyRelatedField,
    FieldsBuiltOnce,
    KeyedPrimaryKeyRelatedField,
    LineCountField,
    document_lines,
)
from stockyard.sales.enums import ReturnDisposition
from stockyard.sales.models import CustomerReturn, CustomerReturnLine, SalesOrder, SalesOrderLine
from stockyard.sales.returns import ReturnLineInput
from stockyard.sales.services import OrderLineInput


class SalesOrderLineSerializer(FieldsBuiltOnce, serializers.ModelSerializer[SalesOrderLine]):
    """A line as the API shows it; validated input becomes an ``OrderLineInput``. The
    products of all lines are looked up in one query."""

    serializer_related_field = BatchedPrimaryKeyRelatedField
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    line_subtotal = AmountField(currency="order.currency")
    line_discount = AmountField(currency="order.currency")
    line_tax = AmountField(currency="order.currency")
    line_total = AmountField(currency="order.currency")
    quantity_backordered = serializers.DecimalField(
        max_digits=QUANTITY_DIGITS,
        decimal_places=QUANTITY_PLACES,
        read_only=True,
        help_text="Waiting for stock: reserved for this line as stock arrives.",
    )

    class Meta:
        model = SalesOrderLine
        list_serializer_class = BatchedListSerializer
        fields = [
            "id",
            "product",
            "product_sku",
            "product_name",
            "quantity",
            "quantity_shipped",
            "quantity_cancelled",
            "quantity_backordered",
            "quantity_returned",
            "unit_price",
            "exchange_rate",
            "discount_percent",
            "tax_rate",
            "line_subtotal",
            "line_discount",
            "line_tax",
            "line_total",
        ]
        read_only_fields = [
            "id",
            "quantity_shipped",
            "exchange_rate",
            "quantity_cancelled",
            "quantity_returned",
            "line_subtotal",
            "line_discount",
            "line_tax",
            "line_total",
        ]
        extra_kwargs = {
            "unit_price": {
                "required": False,
                "min_value": Decimal(0),
                "help_text": "In the order's currency, up to 4 places. Defaults to the "
                "product's price, converted at the exchange rate valid on the order date "
                "(recorded as the line's `exchange_rate`).",
            },
            "discount_percent": {"min_value": Decimal(0), "max_value": Decimal(100)},
            "tax_rate": {"min_value": Decimal(0)},
        }

    def validate_quantity(self, value: Decimal) -> Decimal:
        if value <= 0:
            raise serializers.ValidationError("Must be greater than 0.")
        return value

    def validate(self, attrs: dict[str, Any]) -> OrderLineInput:
        # A PATCH skips missing fields at every level; a line still needs these two.
        missing = {
            name: ["This field is required."]
            for name in ("product", "quantity")
            if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return OrderLineInput(**attrs)


class SalesOrderSerializer(FieldsBuiltOnce, serializers.ModelSerializer[SalesOrder]):
    serializer_related_field = KeyedPrimaryKeyRelatedField  # customer, warehouse
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    lines = document_lines(SalesOrderLineSerializer, allow_empty=False)
    line_count = LineCountField()
    subtotal = AmountField()
    discount_total = AmountField()
    tax_total = AmountField()
    total = AmountField()
    amount_paid = AmountField()

    class Meta:
        model = SalesOrder
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "warehouse",
            "warehouse_code",
            "status",
            "currency",
            "order_date",
            "shipping_address",
            "notes",
            "allow_backorder",
            "lines",
            "line_count",
            "subtotal",
            "discount_total",
            "tax_total",
            "total",
            "exchange_rate",
            "amount_paid",
            "payment_status",
            "confirmed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "number",
            "status",
            "subtotal",
            "discount_total",
            "tax_total",
            "total",
            "exchange_rate",
            "amount_paid",
            "payment_status",
            "confirmed_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "shipping_address": {"help_text": "Defaults to the customer's shipping address."},
            "order_date": {"help_text": "Defaults to today in the business time zone."},
            "exchange_rate": {
                "help_text": "DEFAULT_CURRENCY per unit of the order's currency on its "
                "order date; reports convert the order's amounts with it."
            },
            "currency": {"help_text": "ISO 4217 code; defaults to the customer's currency."},
            "allow_backorder": {
                "help_text": "Confirm with what is available; the rest of each line is "
                "backordered and reserved as stock arrives, oldest confirmation first."
            },
        }


class CustomerReturnLineSerializer(serializers.ModelSerializer[CustomerReturnLine]):
    """A returned line; validated input becomes a ``ReturnLineInput``."""

    product = serializers.IntegerField(source="sales_order_line.product_id", read_only=True)
    disposition = serializers.ChoiceField(
        choices=ReturnDisposition.choices,
        default=ReturnDisposition.RESTOCK,
        help_text="`restock`: back into stock at the cost it left with; `scrap`: not.",
    )
    refund_amount = AmountField(currency="sales_order_line.order.currency")

    class Meta:
        model = CustomerReturnLine
        fields = [
            "id",
            "sales_order_line",
            "product",
            "quantity",
            "disposition",
            "unit_cost",
            "refund_amount",
        ]
        read_only_fields = ["id", "unit_cost", "refund_amount"]

    def validate_quantity(self, value: Decimal) -> Decimal:
        if value <= 0:
            raise serializers.ValidationError("Must be greater than 0.")
        return value

    def validate(self, attrs: dict[str, Any]) -> ReturnLineInput:
        return ReturnLineInput(**attrs)


class CustomerReturnSerializer(serializers.ModelSerializer[CustomerReturn]):
    sales_order_number = serializers.CharField(source="sales_order.number", read_only=True)
    lines = document_lines(CustomerReturnLineSerializer, allow_empty=False)
    line_count = LineCountField()
    refund_total = AmountField(currency="sales_order.currency")

    class Meta:
        model = CustomerReturn
        fields = [
            "id",
            "number",
            "sales_order",
            "sales_order_number",
            "warehouse",
            "status",
            "reason",
            "lines",
            "line_count",
            "refund_total",
            "received_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "number",
            "status",
            "refund_total",
            "received_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "warehouse": {
                "required": False,
                "help_text": "Where restocked goods go; defaults to the order's warehouse.",
            }
        }
