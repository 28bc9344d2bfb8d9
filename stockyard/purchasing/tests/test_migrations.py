"""Data migrations of purchasing, forward and backward (django-test-migrations)."""

from decimal import Decimal

import pytest


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_0008_on_order_forward_and_backward(migrator):
    """The kept quantities start as what the open orders' lines have outstanding: drafts,
    submitted and partially received orders count, received lines and finished orders
    do not, per product and warehouse."""
    old = migrator.apply_initial_migration(("purchasing", "0007_outstanding_lines_index"))
    Product = old.apps.get_model("catalog", "Product")
    Warehouse = old.apps.get_model("inventory", "Warehouse")
    Supplier = old.apps.get_model("partners", "Supplier")
    PurchaseOrder = old.apps.get_model("purchasing", "PurchaseOrder")
    main, north = (Warehouse.objects.create(code=code, name=code) for code in ("MAIN", "NORTH"))
    bolt, rope = (
        Product.objects.create(sku=sku, name=sku, unit_id="pcs") for sku in ("BOLT", "ROPE")
    )
    supplier = Supplier.objects.create(code="ACME", name="Acme")
    for status, warehouse, lines in (
        ("draft", main, [(bolt, 5, 0), (rope, 2, 0)]),
        ("submitted", main, [(bolt, 3, 0)]),
        ("partially_received", north, [(bolt, 10, 4), (rope, 6, 6)]),
        ("received", main, [(bolt, 8, 8)]),
        ("cancelled", main, [(rope, 9, 0)]),
        ("closed", north, [(rope, 7, 1)]),
    ):
        order = PurchaseOrder.objects.create(supplier=supplier, warehouse=warehouse, status=status)
        for product, quantity, received in lines:
            order.lines.create(
                product=product, quantity=quantity, quantity_received=received, unit_cost=1
            )

    new = migrator.apply_tested_migration(("purchasing", "0008_on_order"))
    OnOrder = new.apps.get_model("purchasing", "OnOrder")
    kept = {
        (row.product.sku, row.warehouse.code): row.quantity
        for row in OnOrder.objects.select_related("product", "warehouse")
    }
    assert kept == {
        ("BOLT", "MAIN"): Decimal(8),
        ("ROPE", "MAIN"): Decimal(2),
        ("BOLT", "NORTH"): Decimal(6),
    }

    old = migrator.apply_tested_migration(("purchasing", "0007_outstanding_lines_index"))
    assert old.apps.get_model("purchasing", "PurchaseOrder").objects.count() == 6
    migrator.reset()
