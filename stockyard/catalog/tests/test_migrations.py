"""Data migrations of the catalog, forward and backward (django-test-migrations)."""

import pytest


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_0005_units_exchange_rates_price_places_forward_and_backward(migrator):
    old = migrator.apply_initial_migration(("catalog", "0004_track_history"))
    Product = old.apps.get_model("catalog", "Product")
    Product.objects.create(sku="BOLT", name="Bolt", unit="pcs")
    Product.objects.create(sku="ROPE", name="Rope", unit="crate")

    new = migrator.apply_tested_migration(("catalog", "0005_units_exchange_rates_price_places"))
    Unit = new.apps.get_model("catalog", "Unit")
    places = dict(Unit.objects.values_list("code", "decimal_places"))
    # The standard units, and every code already in use (keeping 3 places: no recorded
    # quantity becomes invalid).
    assert {"pcs": 0, "g": 0, "kg": 3, "m": 3, "l": 3, "crate": 3}.items() <= places.items()
    Product = new.apps.get_model("catalog", "Product")
    assert Product.objects.get(sku="ROPE").unit.decimal_places == 3

    back = migrator.apply_tested_migration(("catalog", "0004_track_history"))
    Product = back.apps.get_model("catalog", "Product")
    assert sorted(Product.objects.values_list("unit", flat=True)) == ["crate", "pcs"]
    migrator.reset()
