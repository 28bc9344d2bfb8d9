"""Writes on the catalog: products and the category tree.

Every write runs in one transaction and records its event in the outbox:
``product.created|updated|deleted`` and ``category.created|updated|deleted``.
"""

from datetime import date
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.db import models, transaction
from django.db.models.functions import Lower

from stockyard.catalog.models import Category, ExchangeRate, Product, Unit
from stockyard.core import errors
from stockyard.core.decimals import price, quantity
from stockyard.core.locks import take_turns
from stockyard.core.models import delete_unreferenced, save_unique
from stockyard.events.services import publish
from stockyard.inventory.services import stock_level_product_copy
from stockyard.partners.models import Supplier


class ProductDetails(TypedDict, total=False):
    description: str
    unit: Unit
    barcode: str
    category: Category | None
    supplier: Supplier | None
    price: Decimal
    cost: Decimal
    currency: str
    reorder_point: Decimal
    reorder_quantity: Decimal
    lead_time_days: int
    is_active: bool


class ProductChanges(ProductDetails, total=False):
    sku: str
    name: str


class CategoryChanges(TypedDict, total=False):
    name: str
    parent: Category | None


def _taken_case_insensitively(
    rows: models.QuerySet[Any], field: str, value: str, *, by_other_than: models.Model
) -> bool:
    """Whether another row has ``value`` in ``field``, compared as the unique index does."""
    return (
        rows.exclude(pk=by_other_than.pk)
        .alias(folded=Lower(field))
        .filter(folded=Lower(models.Value(value)))
        .exists()
    )


# --- products ---------------------------------------------------------------------------


def _product_data(product: Product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "sku": product.sku,
        "name": product.name,
        "unit": product.unit_id,
        "barcode": product.barcode,
        "category": product.category_id,
        "supplier": product.supplier_id,
        "price": price(product.price),
        "cost": price(product.cost),
        "currency": product.currency,
        "reorder_point": quantity(product.reorder_point),
        "reorder_quantity": quantity(product.reorder_quantity),
        "lead_time_days": product.lead_time_days,
        "is_active": product.is_active,
    }


def _ensure_sku_free(product: Product) -> None:
    if _taken_case_insensitively(Product.objects.all(), "sku", product.sku, by_other_than=product):
        message = f"A product with SKU {product.sku!r} already exists (SKUs ignore case)."
        raise errors.ValidationFailed(message, errors={"sku": [message]})


def _ensure_supplier_active(supplier: Supplier | None) -> None:
    if supplier is not None and not supplier.is_active:
        message = f"Supplier {supplier.code} is inactive and cannot be a default supplier."
        raise errors.ValidationFailed(message, errors={"supplier": [message]})


def _save_product(product: Product, event_type: str) -> Product:
    save_unique(product, _ensure_sku_free)
    publish(event_type, _product_data(product))
    return product


@transaction.atomic
def product_create(*, sku: str, name: str, **details: Unpack[ProductDetails]) -> Product:
    _ensure_supplier_active(details.get("supplier"))
    return _save_product(Product(sku=sku, name=name, **details), "product.created")


@transaction.atomic
def product_update(*, product: Product, **changes: Unpack[ProductChanges]) -> Product:
    """Change a product. A supplier that became inactive may stay its default supplier,
    but none can be newly chosen."""
    supplier = changes.get("supplier")
    if supplier is not None and supplier.pk != product.supplier_id:
        _ensure_supplier_active(supplier)
    copied_changes = (
        changes.get("reorder_point", product.reorder_point) != product.reorder_point
        or changes.get("sku", product.sku) != product.sku
    )
    for name, value in changes.items():
        setattr(product, name, value)
    if not copied_changes:
        return _save_product(product, "product.updated")
    # Its stock levels carry the point (their low-stock index) and the SKU (their order):
    # copied before and after the product row is written
    # (inventory.services.stock_level_product_copy).
    stock_level_product_copy(product=product)
    _save_product(product, "product.updated")
    stock_level_product_copy(product=product)
    return product


@transaction.atomic
def product_delete(*, product: Product) -> None:
    """Delete a product nothing refers to; one with stock or documents answers 409
    ``conflict`` (deactivate it instead)."""
    data = _product_data(product)
    delete_unreferenced(product, what="product")
    publish("product.deleted", data)


# --- categories -------------------------------------------------------------------------


def _category_data(category: Category) -> dict[str, Any]:
    return {"id": category.pk, "name": category.name, "parent": category.parent_id}


def _ensure_name_free_among_siblings(category: Category) -> None:
    siblings = Category.objects.filter(parent_id=category.parent_id)
    if _taken_case_insensitively(siblings, "name", category.name, by_other_than=category):
        where = f"under {category.parent}" if category.parent else "at the top level"
        message = f"A category named {category.name!r} already exists {where}."
        raise errors.ValidationFailed(message, errors={"name": [message]})


def _ensure_not_under_itself(category: Category) -> None:
    """Refuse a parent that is the category itself or one of its descendants.

    Moves take turns, and the chain is read after the lock: two categories moved under
    each other at once would otherwise both pass and make a cycle.
    """
    take_turns("catalog.category-tree")
    seen: set[int] = set()
    ancestor = category.parent_id
    while ancestor is not None and ancestor not in seen:
        if ancestor == category.pk:
            message = "A category cannot be placed under itself or one of its subcategories."
            raise errors.ValidationFailed(message, errors={"parent": [message]})
        seen.add(ancestor)
        ancestor = Category.objects.filter(pk=ancestor).values_list("parent_id", flat=True).first()


def _save_category(category: Category, event_type: str) -> Category:
    save_unique(category, _ensure_name_free_among_siblings)
    publish(event_type, _category_data(category))
    return category


@transaction.atomic
def category_create(*, name: str, parent: Category | None = None) -> Category:
    return _save_category(Category(name=name, parent=parent), "category.created")


@transaction.atomic
def category_update(*, category: Category, **changes: Unpack[CategoryChanges]) -> Category:
    for name, value in changes.items():
        setattr(category, name, value)
    if "parent" in changes:
        _ensure_not_under_itself(category)
    return _save_category(category, "category.updated")


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Delete a category without products or subcategories; else 409 ``conflict``."""
    if category.children.exists() or category.products.exists():
        raise errors.Conflict(
            f"Category {category.name!r} still holds products or subcategories; "
            "move them to another category first."
        )
    data = _category_data(category)
    delete_unreferenced(category, what="category")
    publish("category.deleted", data)


# --- units of measure -------------------------------------------------------------------


def _unit_data(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "decimal_places": unit.decimal_places,
    }


def _ensure_unit_code_free(unit: Unit) -> None:
    if Unit.objects.filter(code=unit.code).exclude(pk=unit.pk).exists():
        message = f"A unit with code {unit.code!r} already exists."
        raise errors.ValidationFailed(message, errors={"code": [message]})


@transaction.atomic
def unit_create(*, code: str, name: str, decimal_places: int) -> Unit:
    """A unit of measure: quantities of products in it may have ``decimal_places`` (0-3)."""
    unit = save_unique(
        Unit(code=code, name=name, decimal_places=decimal_places), _ensure_unit_code_free
    )
    publish("unit.created", _unit_data(unit))
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, name: str | None = None, decimal_places: int | None = None) -> Unit:
    """Rename a unit or change its places: new quantities follow them, recorded ones stay
    as they are. The code is the unit's identity and never changes."""
    if name is not None:
        unit.name = name
    if decimal_places is not None:
        unit.decimal_places = decimal_places
    unit.save()
    publish("unit.updated", _unit_data(unit))
    return unit


@transaction.atomic
def unit_delete(*, unit: Unit) -> None:
    """Delete a unit no product is measured in; else 409 ``conflict``."""
    data = _unit_data(unit)
    delete_unreferenced(unit, what="unit")
    publish("unit.deleted", data)


# --- exchange rates ---------------------------------------------------------------------


def _exchange_rate_data(rate: ExchangeRate) -> dict[str, Any]:
    return {
        "id": rate.pk,
        "base": rate.base,
        "quote": rate.quote,
        "rate": rate.rate,
        "valid_from": rate.valid_from.isoformat(),
    }


def _ensure_rate_day_free(rate: ExchangeRate) -> None:
    taken = ExchangeRate.objects.filter(
        base=rate.base, quote=rate.quote, valid_from=rate.valid_from
    ).exclude(pk=rate.pk)
    if taken.exists():
        message = f"{rate.base}/{rate.quote} already has a rate from {rate.valid_from}."
        raise errors.ValidationFailed(message, errors={"valid_from": [message]})


def _ensure_two_currencies(base: str, quote: str) -> None:
    if base == quote:
        raise errors.ValidationFailed(errors={"quote": ["Must differ from base."]})


@transaction.atomic
def exchange_rate_create(*, base: str, quote: str, rate: Decimal, valid_from: date) -> ExchangeRate:
    """From ``valid_from`` on, one ``base`` is worth ``rate`` ``quote``. Documents keep
    the rate they recorded; a new rate only prices documents dated from then on."""
    _ensure_two_currencies(base, quote)
    exchange_rate = ExchangeRate(base=base, quote=quote, rate=rate, valid_from=valid_from)
    save_unique(exchange_rate, _ensure_rate_day_free)
    publish("exchange_rate.created", _exchange_rate_data(exchange_rate))
    return exchange_rate


@transaction.atomic
def exchange_rate_update(*, exchange_rate: ExchangeRate, **changes: Any) -> ExchangeRate:
    for name, value in changes.items():
        setattr(exchange_rate, name, value)
    _ensure_two_currencies(exchange_rate.base, exchange_rate.quote)
    save_unique(exchange_rate, _ensure_rate_day_free)
    publish("exchange_rate.updated", _exchange_rate_data(exchange_rate))
    return exchange_rate


@transaction.atomic
def exchange_rate_delete(*, exchange_rate: ExchangeRate) -> None:
    data = _exchange_rate_data(exchange_rate)
    exchange_rate.delete()
    publish("exchange_rate.deleted", data)
