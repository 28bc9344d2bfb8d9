"""What each kind of import reads from a row, and which owning service applies it.

Each row is checked by the owning app's own API serializer (so a file is held to the
same rules as the API), with references written as natural keys instead of ids: SKUs
for products (ignoring case, as SKUs do), codes for partners and warehouses, names for
categories. The row is then written by the owning app's service, which checks the
business rules and records the events, as for any other write.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist
from django.db.models import Model, QuerySet
from rest_framework import serializers

from stockyard.accounts.models import User
from stockyard.accounts.roles import Capability
from stockyard.catalog import services as catalog
from stockyard.catalog.models import Category, Product, Unit
from stockyard.catalog.selectors import products_by_sku, products_by_skus
from stockyard.catalog.serializers import ProductSerializer, UnitCodeField
from stockyard.core.errors import ValidationFailed
from stockyard.imports.enums import ImportKind
from stockyard.inventory import selectors as inventory_selectors
from stockyard.inventory import services as inventory
from stockyard.inventory.models import Warehouse
from stockyard.inventory.serializers import StockAdjustmentSerializer, quantity_field
from stockyard.partners import services as partners
from stockyard.partners.models import Customer, Supplier
from stockyard.partners.serializers import CustomerSerializer, SupplierSerializer

Outcome = Literal["created", "updated"]
OPENING_STOCK_REASON = "opening stock"


class RowInvalid(ValidationFailed):
    """A row that breaks the shape its serializer expects; ``errors`` by column."""


@dataclass
class Lookups:
    """What one import has already read, so a row costs no query that an earlier one
    made: ``found``, the records the rows in hand are about (read once per batch of rows
    by ``Kind.prefetch``), and ``references``, the units, categories, suppliers and
    warehouses the rows name (each read once per import; the import writes none of
    them). Passed to the row serializers as their context."""

    found: dict[str, Model] = field(default_factory=dict)
    references: dict[tuple[str, str], Model] = field(default_factory=dict)

    def context(self) -> dict[str, Any]:
        return {"references": self.references}


class Remembered(serializers.RelatedField[Model, Any, Any]):
    """A reference field that resolves each value once per import: the serializer's
    context (``Lookups.context``) keeps what it found; bad values are not kept, so each
    bad row still reports its own error. Without that context it reads every time."""

    def to_internal_value(self, data: Any) -> Model:
        remembered = self.context.get("references")
        if remembered is None:
            return super().to_internal_value(data)
        key = (self.field_name, str(data).strip())
        if key not in remembered:
            remembered[key] = super().to_internal_value(data)
        return remembered[key]


class NaturalKeyField(serializers.RelatedField[Model, Any, Any]):
    """A reference written as the other record's natural key: the row of the queryset
    whose ``field`` is the value (``"code"``, ``"name"``); products by SKU ignoring case."""

    default_error_messages = {
        "does_not_exist": "No {model} with {field} {value!r}.",
        "ambiguous": "More than one {model} has {field} {value!r}.",
    }

    def __init__(self, field: str, **kwargs: Any) -> None:
        self.field = field
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Model:
        queryset: Any = self.get_queryset()
        what = {"model": queryset.model._meta.verbose_name, "field": self.field}
        try:
            return self.matching(queryset, str(data).strip()).get()
        except ObjectDoesNotExist:
            self.fail("does_not_exist", value=data, **what)
        except MultipleObjectsReturned:
            self.fail("ambiguous", value=data, **what)
        raise AssertionError  # fail() raised

    def matching(self, queryset: QuerySet[Any], value: str) -> QuerySet[Any]:
        return queryset.filter(**{self.field: value})

    def to_representation(self, value: Any) -> str:
        return str(value)


class SkuField(NaturalKeyField):
    """A product by SKU, ignoring case as SKUs do (through their unique index)."""

    def __init__(self, queryset: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__("sku", queryset=queryset, **kwargs)

    def matching(self, queryset: QuerySet[Any], value: str) -> QuerySet[Any]:
        return products_by_sku(value, queryset)


class RememberedNaturalKey(Remembered, NaturalKeyField):
    """A natural key resolved once per import (categories, suppliers, warehouses)."""


class RememberedUnit(Remembered, UnitCodeField):  # type: ignore[misc]
    """A product's unit by code, resolved once per import."""


def _by(field: str, queryset: QuerySet[Any], **kwargs: Any) -> NaturalKeyField:
    return RememberedNaturalKey(field, queryset=queryset, **kwargs)


def _checked(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    if not serializer.is_valid():
        raise RowInvalid(errors=_flat(serializer.errors))
    return dict(serializer.validated_data)


def _flat(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(errors, Mapping):
        flat: dict[str, list[str]] = {}
        for name, value in errors.items():
            field = "" if name == "non_field_errors" else str(name)
            flat.update(_flat(value, f"{prefix}.{field}" if prefix and field else prefix or field))
        return flat
    return {prefix: [str(message) for message in errors]}


# --- the kinds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of import: its columns (the template's header), the columns naming the
    record a row is about (no two rows may name the same), and who may import it."""

    name: ImportKind
    columns: tuple[str, ...]
    keys: tuple[str, ...]
    capability: Capability

    def key(self, record: Mapping[str, str]) -> tuple[str, ...]:
        """What the row is about, compared as the database compares it."""
        return tuple(record.get(column, "").strip().lower() for column in self.keys)

    def prefetch(self, records: Sequence[Mapping[str, str]], lookups: Lookups) -> None:
        """Read, in one query, what the next ``records`` are about into ``lookups``."""

    def apply(self, record: dict[str, str], *, user: User | None, lookups: Lookups) -> Outcome:
        raise NotImplementedError


class _ProductRow(ProductSerializer):
    unit = RememberedUnit(slug_field="code", queryset=Unit.objects.all(), required=False)
    category = _by("name", Category.objects.all(), required=False, allow_null=True)
    supplier = _by("code", Supplier.objects.all(), required=False, allow_null=True)


@dataclass(frozen=True)
class Upsert(Kind):
    """Records created, or updated when the row's key (``keys[0]``) names one: the row
    checked by the API's ``serializer`` (partially for an update), then written by the
    owning app's ``create`` / ``update`` service. ``find`` reads the records a batch of
    keys name, keyed by ``fold(key)`` (how the database compares keys)."""

    find: Callable[[list[str]], QuerySet[Any]]
    fold: Callable[[str], str]
    serializer: type[serializers.ModelSerializer[Any]]
    create: Callable[..., Model]
    update: Callable[..., Model]

    def prefetch(self, records: Sequence[Mapping[str, str]], lookups: Lookups) -> None:
        column = self.keys[0]
        keys = [self.fold(record.get(column, "")) for record in records]
        lookups.found = {self.fold(getattr(row, column)): row for row in self.find(keys)}

    def apply(self, record: dict[str, str], *, user: User | None, lookups: Lookups) -> Outcome:
        found = lookups.found.get(self.fold(record.get(self.keys[0], "")))
        fields = _checked(
            self.serializer(
                found, data=record, partial=found is not None, context=lookups.context()
            )
        )
        if found is None:
            self.create(**fields)
            return "created"
        self.update(found, **fields)
        return "updated"


class _PriceRow(serializers.ModelSerializer[Product]):
    sku = SkuField(Product.objects.all())

    class Meta:
        model = Product
        fields = ["sku", "price", "cost"]
        extra_kwargs = {
            name: ProductSerializer.Meta.extra_kwargs[name] for name in ("price", "cost")
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.keys() & {"price", "cost"}:
            raise serializers.ValidationError({"price": "Give a price, a cost or both."})
        return attrs


class Prices(Kind):
    def apply(self, record: dict[str, str], *, user: User | None, lookups: Lookups) -> Outcome:
        fields = _checked(_PriceRow(data=record, context=lookups.context()))
        catalog.product_update(product=fields.pop("sku"), **fields)
        return "updated"


class _OpeningStockRow(StockAdjustmentSerializer):
    """An adjustment's shape, with natural keys; it only adds stock and needs no reason."""

    product = None  # type: ignore[assignment]
    reason = None  # type: ignore[assignment]
    note = None  # type: ignore[assignment]
    sku = SkuField(Product.objects.filter(is_active=True))
    warehouse = _by("code", Warehouse.objects.filter(is_active=True))  # type: ignore[assignment]
    quantity = quantity_field(min_value=Decimal("0.001"))


class OpeningStock(Kind):
    """Stock on hand when Stockyard takes over: one ``adjustment`` movement per row
    (reason ``opening stock``), valued at ``unit_cost`` (else the product's cost). Only
    for stock with no movements yet: a row for stock already moving is refused."""

    def apply(self, record: dict[str, str], *, user: User | None, lookups: Lookups) -> Outcome:
        fields = _checked(_OpeningStockRow(data=record, context=lookups.context()))
        product, warehouse = fields["sku"], fields["warehouse"]
        if inventory_selectors.stock_has_movements(
            product_id=product.pk, warehouse_id=warehouse.pk
        ):
            message = f"{product.sku} in {warehouse.code} already has stock movements."
            raise ValidationFailed(message, errors={"sku": [message]})
        inventory.stock_adjust(
            product=product,
            warehouse=warehouse,
            quantity=fields["quantity"],
            reason=OPENING_STOCK_REASON,
            unit_cost=fields.get("unit_cost"),
            user=user,
        )
        return "created"


_PRODUCT_COLUMNS = (
    "sku",
    "name",
    "description",
    "unit",
    "barcode",
    "category",
    "supplier",
    "price",
    "cost",
    "currency",
    "reorder_point",
    "reorder_quantity",
    "lead_time_days",
    "is_active",
)
_PARTNER_COLUMNS = ("code", "name", "email", "phone", "tax_id", "currency", "is_active")

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Upsert(
            ImportKind.PRODUCTS,
            _PRODUCT_COLUMNS,
            ("sku",),
            Capability.CATALOG_MANAGE,
            find=products_by_skus,
            fold=lambda sku: sku.strip().lower(),
            serializer=_ProductRow,
            create=catalog.product_create,
            update=lambda product, **fields: catalog.product_update(product=product, **fields),
        ),
        Upsert(
            ImportKind.SUPPLIERS,
            (*_PARTNER_COLUMNS, "address", "bank_account", "lead_time_days"),
            ("code",),
            Capability.SUPPLIERS_MANAGE,
            find=lambda codes: Supplier.objects.filter(code__in=codes),
            fold=str,
            serializer=SupplierSerializer,
            create=partners.supplier_create,
            update=lambda supplier, **fields: partners.supplier_update(supplier=supplier, **fields),
        ),
        Upsert(
            ImportKind.CUSTOMERS,
            (*_PARTNER_COLUMNS, "billing_address", "shipping_address", "credit_limit"),
            ("code",),
            Capability.CUSTOMERS_MANAGE,
            find=lambda codes: Customer.objects.filter(code__in=codes),
            fold=str,
            serializer=CustomerSerializer,
            create=partners.customer_create,
            update=lambda customer, **fields: partners.customer_update(customer=customer, **fields),
        ),
        OpeningStock(
            ImportKind.OPENING_STOCK,
            ("sku", "warehouse", "quantity", "unit_cost"),
            ("sku", "warehouse"),
            Capability.STOCK_MOVE,
        ),
        Prices(ImportKind.PRICES, ("sku", "price", "cost"), ("sku",), Capability.CATALOG_MANAGE),
    )
}
