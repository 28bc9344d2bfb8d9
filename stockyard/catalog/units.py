"""Quantities against units of measure: a product in ``pcs`` (0 places) cannot be
counted, sold or moved by 2.5; one in ``kg`` (3 places) can, by the gram.

Every service that takes a quantity of a product checks it here, naming the request
field (``quantity``, ``lines.2.quantity``, ``lines.0.counted_quantity``).
"""

from collections.abc import Iterable
from decimal import Decimal

from stockyard.catalog.models import Product, Unit
from stockyard.core import errors

UnitQuantity = tuple[str, Product, Decimal]  # (request field, product, quantity)


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def unit_quantity_problems(quantities: Iterable[UnitQuantity]) -> dict[str, list[str]]:
    """``{field: [message]}`` for each quantity with more decimals than its product's
    unit allows: one query for the units of the quantities with decimals, whatever their
    number, and none when every quantity is whole (a whole quantity fits every unit)."""
    fractional = [(field, product, q) for field, product, q in quantities if _places(q)]
    if not fractional:
        return {}
    units = Unit.objects.in_bulk(
        {product.unit_id for _, product, _ in fractional}, field_name="code"
    )
    problems = {}
    for field, product, quantity in fractional:
        unit = units[product.unit_id]
        if _places(quantity) > unit.decimal_places:
            allowed = "whole" if unit.decimal_places == 0 else f"{unit.decimal_places}-decimal"
            problems[field] = [
                f"{product.sku} is counted in {unit.code}: only {allowed} quantities "
                f"are allowed, not {quantity}."
            ]
    return problems


def require_unit_quantities(quantities: Iterable[UnitQuantity]) -> None:
    """Raise ``ValidationFailed`` (400 ``validation_error``) naming every field whose
    quantity has more decimals than its product's unit allows."""
    problems = unit_quantity_problems(quantities)
    if problems:
        raise errors.ValidationFailed(
            "Some quantities are finer than their unit of measure allows.", errors=problems
        )
