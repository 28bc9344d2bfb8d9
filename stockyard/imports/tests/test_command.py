from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from stockyard.catalog.models import Product
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.imports.models import Import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_import_data_applies_a_file(tmp_path, capsys):
    ProductFactory(sku="BOLT-1", price=Decimal("1.00"))
    path = tmp_path / "prices.csv"
    path.write_text("sku,price\nBOLT-1,2.50\n", encoding="utf-8")
    call_command("import_data", "prices", str(path))
    assert "done: 1 rows, 0 created, 1 updated" in capsys.readouterr().out
    assert Product.objects.get(sku="BOLT-1").price == Decimal("2.50")
    assert Import.objects.get().owner is None


def test_import_data_reports_bad_rows_and_fails(tmp_path, capsys):
    path = tmp_path / "prices.csv"
    path.write_text("sku,price\nNOPE,2.50\n", encoding="utf-8")
    with pytest.raises(CommandError, match="failed"):
        call_command("import_data", "prices", str(path), "--dry-run")
    assert "row 2, sku: No product with sku 'NOPE'." in capsys.readouterr().err


def test_import_data_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No file"):
        call_command("import_data", "products", str(tmp_path / "missing.csv"))
