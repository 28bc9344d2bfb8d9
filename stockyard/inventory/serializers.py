from decimal import Decimal
from typing import Any

from rest_framework import serializers

from stockyard.catalog.models import Product
from stockyard.core.decimals import QUANTITY_DIGITS, QUANTITY_PLACES
from stockyard.core.serializers import (
    AmountField,
    FieldsBuiltOnce,
    KeyedPrimaryKeyRelatedField,
    document_lines,
)
from stockyard.inventory.models import (
    COST_DIGITS,
    COST_PLACES,
    STOCK_VALUE_DIGITS,
    StockLevel,
    StockMovement,
    Warehouse,
)


def quantity_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES, **kwargs
    )


def active_products() -> Any:
    return Product.objects.filter(is_active=True)


def active_warehouses() -> Any:
    return Warehouse.objects.filter(is_active=True)


class WarehouseSerializer(serializers.ModelSerializer[Warehouse]):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "address", "is_active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class StockLevelSerializer(serializers.ModelSerializer[StockLevel]):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    available = quantity_field(source="available_quantity", read_only=True)
    value = AmountField(
        currency=None,
        max_digits=STOCK_VALUE_DIGITS,
        help_text="on_hand x average_cost in DEFAULT_CURRENCY, to its minor unit (ISO 4217).",
    )

    class Meta:
        model = StockLevel
        fields = [
            "id",
            "product",
            "product_sku",
            "warehouse",
            "warehouse_code",
            "on_hand",
            "reserved",
            "available",
            "average_cost",
            "value",
            "updated_at",
        ]


class StockMovementSerializer(FieldsBuiltOnce, serializers.ModelSerializer[StockMovement]):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "product",
            "product_sku",
            "warehouse",
            "warehouse_code",
            "quantity",
            "kind",
            "reference_type",
            "reference_id",
            "unit_cost",
            "created_at",
            "created_by",
            "reason",
            "note",
        ]


class ProductField(KeyedPrimaryKeyRelatedField):
    """The id of any product, read with SQL compiled once per process
    (``KeyedPrimaryKeyRelatedField``). The default manager is given here, not as an
    argument: DRF copies a declared field by building it again from deep copies of its
    arguments, and a copy of the manager is not the default manager, so the field would
    read through the ORM."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Product.objects, **kwargs)


class ActiveWarehouseField(KeyedPrimaryKeyRelatedField):
    """The id of an active warehouse, read as ``ProductField`` reads a product; an
    inactive one's is refused with the answer of
    ``PrimaryKeyRelatedField(queryset=active_warehouses())``: ``does_not_exist``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Warehouse.objects, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        warehouse = super().to_internal_value(data)
        if not warehouse.is_active:
            self.fail("does_not_exist", pk_value=data)
        return warehouse


class StockAdjustmentSerializer(serializers.Serializer[Any]):
    product = ProductField(help_text="An inactive product's stock may be reduced, not increased.")
    warehouse = ActiveWarehouseField()
    quantity = quantity_field(help_text="Signed: positive adds stock, negative removes it.")
    reason = serializers.CharField(max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    unit_cost = serializers.DecimalField(
        max_digits=COST_DIGITS,
        decimal_places=COST_PLACES,
        min_value=Decimal(0),
        required=False,
        help_text="For stock added: its unit cost (default: the current average cost).",
    )

    def validate_quantity(self, value: Decimal) -> Decimal:
        if value == 0:
            raise serializers.ValidationError("Must not be 0.")
        return value


class StockTransferSerializer(serializers.Serializer[Any]):
    product = serializers.PrimaryKeyRelatedField(queryset=active_products())
    from_warehouse = serializers.PrimaryKeyRelatedField(queryset=active_warehouses())
    to_warehouse = serializers.PrimaryKeyRelatedField(queryset=active_warehouses())
    quantity = quantity_field(min_value=Decimal("0.001"))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["from_warehouse"] == attrs["to_warehouse"]:
            raise serializers.ValidationError({"to_warehouse": "Must differ from from_warehouse."})
        return attrs


class StockTransferResultSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id")
    from_warehouse = serializers.IntegerField(source="from_warehouse_id")
    to_warehouse = serializers.IntegerField(source="to_warehouse_id")
    quantity = quantity_field()
    created_at = serializers.DateTimeField()
    movements = StockMovementSerializer(many=True)


class StockCountLineSerializer(serializers.Serializer[Any]):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    counted_quantity = quantity_field(min_value=Decimal(0))


class StockCountSerializer(serializers.Serializer[Any]):
    warehouse = serializers.PrimaryKeyRelatedField(queryset=active_warehouses())
    lines = document_lines(StockCountLineSerializer, listed=False, allow_empty=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_lines(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        products = [line["product"].pk for line in lines]
        if len(set(products)) != len(products):
            raise serializers.ValidationError("Each product may appear once per count.")
        return lines


class StockCountResultLineSerializer(serializers.Serializer[Any]):
    product = serializers.IntegerField(source="product_id")
    counted_quantity = quantity_field()
    expected_quantity = quantity_field()
    difference = quantity_field()


class StockCountResultSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    warehouse = serializers.IntegerField(source="warehouse_id")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    lines = StockCountResultLineSerializer(many=True, source="lines.all")
    movements = StockMovementSerializer(many=True)
