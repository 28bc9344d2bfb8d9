"""Imports over HTTP: each kind, every kind of bad row, all or nothing, dry runs."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stockyard.accounts.roles import Role
from stockyard.catalog.models import Product
from stockyard.catalog.tests.factories import CategoryFactory, ProductFactory
from stockyard.core.testing import assert_problem
from stockyard.events.models import Event
from stockyard.imports.tests.conftest import csv_file, errors_of, xlsx_file
from stockyard.inventory.models import StockLevel, StockMovement
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.models import Customer, Supplier
from stockyard.partners.tests.factories import CustomerFactory, SupplierFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "sku,name,price,cost,unit,supplier,category,reorder_point\n"


@pytest.fixture
def manager(client_for):
    return client_for(Role.MANAGER)


def test_products_are_created_and_updated_by_sku(manager, upload):
    supplier = SupplierFactory(code="ACME")
    category = CategoryFactory(name="Fasteners")
    existing = ProductFactory(sku="BOLT-1", name="Old name", price=Decimal("1.00"))
    result = upload(
        manager,
        "products",
        csv_file(
            PRODUCTS + "bolt-1,Hex bolt M8,0.35,0.12,pcs,ACME,Fasteners,100\n"
            "NUT-1,Hex nut M8,0.10,0.03,pcs,,,\n"
        ),
    )
    assert result["status"] == "done", result["errors"]
    assert (result["rows_total"], result["created"], result["updated"]) == (2, 1, 1)
    assert result["progress"] == 2
    existing.refresh_from_db()
    assert (existing.name, existing.price, existing.supplier, existing.category) == (
        "Hex bolt M8",
        Decimal("0.35"),
        supplier,
        category,
    )
    nut = Product.objects.get(sku="NUT-1")
    assert nut.price == Decimal("0.10") and nut.supplier is None
    # Written through the catalog's services: the events are there.
    assert Event.objects.filter(type="product.created", data__sku="NUT-1").exists()
    assert Event.objects.filter(type="product.updated", data__sku="bolt-1").exists()


def test_references_are_read_once_per_import_and_records_once_per_batch(manager, upload):
    """A row costs only its own writes: the unit, category and supplier it names are read
    once per import, the products the rows are about once per batch of rows; a bad
    reference is still reported on every row that has it."""
    SupplierFactory(code="ACME")
    CategoryFactory(name="Fasteners")
    ProductFactory(sku="BOLT-0")
    rows = [f"bolt-{n},Bolt {n},0.35,0.12,pcs,ACME,Fasteners,10" for n in range(30)]
    rows += ["NUT-1,Nut,0.10,0.03,pcs,NOPE,,", "NUT-2,Nut,0.10,0.03,pcs,NOPE,,"]
    with CaptureQueriesContext(connection) as queries:
        result = upload(manager, "products", csv_file(PRODUCTS + "\n".join(rows) + "\n"))
    assert errors_of(result) == {(32, "supplier"), (33, "supplier")}
    reads = [query["sql"] for query in queries if query["sql"].startswith("SELECT")]

    def reading(table: str) -> list[str]:
        return [sql for sql in reads if sql.split(" WHERE ")[0].endswith(f'FROM "{table}"')]

    assert len(reading("catalog_unit")) == 1
    assert len(reading("catalog_category")) == 1
    assert len(reading("partners_supplier")) == 1 + 2  # ACME once, NOPE on each bad row
    found = [sql for sql in reading("catalog_product") if "IN (" in sql]
    assert len(found) == 1, found


def test_an_xlsx_file_imports_like_a_csv(manager, upload):
    result = upload(
        manager,
        "products",
        xlsx_file([["SKU", "Name", "Price"], ["X-1", "Xylophone", 19.99], ["X-2", "Xenon", 5]]),
    )
    assert result["status"] == "done", result["errors"]
    assert Product.objects.get(sku="X-1").price == Decimal("19.99")
    assert Product.objects.get(sku="X-2").price == Decimal("5.00")


def test_partners_are_created_and_updated_by_code(manager, upload):
    CustomerFactory(code="C-1", name="Old")
    result = upload(
        manager,
        "customers",
        csv_file(
            "code,name,email,credit_limit,currency\n"
            "C-1,Alice Ltd,a@alice.example,5000,USD\n"
            "C-2,Bob & Co,,,EUR\n"
        ),
    )
    assert (result["status"], result["created"], result["updated"]) == ("done", 1, 1)
    assert Customer.objects.get(code="C-1").credit_limit == Decimal("5000.00")
    assert Customer.objects.get(code="C-2").currency == "EUR"

    result = upload(manager, "suppliers", csv_file("code,name,lead_time_days\nS-9,Nine,4\n"))
    assert result["status"] == "done"
    assert Supplier.objects.get(code="S-9").lead_time_days == 4


def test_opening_stock_posts_ledger_movements(manager, upload):
    bolt = ProductFactory(sku="BOLT-1")
    main = WarehouseFactory(code="MAIN")
    result = upload(
        manager,
        "opening-stock",
        csv_file("sku,warehouse,quantity,unit_cost\nBOLT-1,MAIN,120,0.12\n"),
    )
    assert result["status"] == "done", result["errors"]
    assert result["created"] == 1
    (movement,) = StockMovement.objects.all()
    assert (movement.product, movement.warehouse, movement.quantity, movement.unit_cost) == (
        bolt,
        main,
        Decimal("120.000"),
        Decimal("0.12"),
    )
    assert movement.kind == "adjustment" and movement.reason == "opening stock"
    assert StockLevel.objects.get(product=bolt, warehouse=main).on_hand == Decimal("120")


def test_prices_update_existing_products(manager, upload):
    bolt = ProductFactory(sku="BOLT-1", price=Decimal("1.00"), cost=Decimal("0.50"))
    result = upload(manager, "prices", csv_file("sku,price\nbolt-1,1.25\n"))
    assert (result["status"], result["updated"]) == ("done", 1)
    bolt.refresh_from_db()
    assert (bolt.price, bolt.cost) == (Decimal("1.25"), Decimal("0.50"))


def test_any_bad_row_writes_nothing_and_every_bad_row_is_reported(manager, upload):
    ProductFactory(sku="TAKEN")
    result = upload(
        manager,
        "products",
        csv_file(
            PRODUCTS + "GOOD-1,Fine,1.00,0.50,pcs,,,\n"  # row 2: fine, yet not written
            "BAD-1,Wrong type,abc,0.50,pcs,,,\n"  # row 3: not a number
            "BAD-2,Unknown supplier,1.00,0.50,pcs,NOPE,,\n"  # row 4: unknown reference
            "GOOD-1,Duplicate in file,1.00,0.50,pcs,,,\n"  # row 5: duplicate of row 2
            "BAD-3,Too precise,1.00001,0.50,pcs,,,\n"  # row 6: more places than prices have
            "BAD-4,Negative,-1,0.50,pcs,,,\n"  # row 7: below zero
            ",No sku,1.00,0.50,pcs,,,\n"  # row 8: required value missing
            "BAD-5,Huge,123456789012345.00,0.50,pcs,,,\n"  # row 9: does not fit
            "BAD-6,Bad count,1.00,0.50,pcs,,,-3\n"  # row 10: negative reorder point
        ),
    )
    assert result["status"] == "failed"
    assert (result["created"], result["updated"]) == (0, 0)
    assert errors_of(result) == {
        (3, "price"),
        (4, "supplier"),
        (5, "sku"),
        (6, "price"),
        (7, "price"),
        (8, "sku"),
        (9, "price"),
        (10, "reorder_point"),
    }
    assert not Product.objects.filter(sku__in=["GOOD-1", "BAD-1"]).exists()
    assert not Event.objects.filter(type="product.created").exclude(data__sku="TAKEN").exists()
    messages = {error["row"]: error["message"] for error in result["errors"]}
    assert messages[4] == "No supplier with code 'NOPE'."
    assert messages[5].startswith("Duplicates row 2")


def test_duplicates_against_the_database_are_refused(manager, upload):
    """Products and partners found by their key are updated; opening stock for stock
    that has already moved would count it twice, so it is refused."""
    bolt = ProductFactory(sku="BOLT-1")
    main = WarehouseFactory(code="MAIN")
    put_stock(bolt, main, 5)
    result = upload(manager, "opening-stock", csv_file("sku,warehouse,quantity\nBOLT-1,MAIN,10\n"))
    assert result["status"] == "failed"
    assert result["errors"] == [
        {"row": 2, "field": "sku", "message": "BOLT-1 in MAIN already has stock movements."}
    ]
    assert StockLevel.objects.get(product=bolt, warehouse=main).on_hand == Decimal("5")


def test_opening_stock_rows_are_checked(manager, upload):
    ProductFactory(sku="BOLT-1")
    ProductFactory(sku="OLD", is_active=False)
    WarehouseFactory(code="MAIN")
    result = upload(
        manager,
        "opening-stock",
        csv_file(
            "sku,warehouse,quantity,unit_cost\n"
            "BOLT-1,NORTH,1,\n"  # 2: unknown warehouse
            "NOPE,MAIN,1,\n"  # 3: unknown product
            "BOLT-1,MAIN,0,\n"  # 4: nothing to add
            "BOLT-1,MAIN,1.0001,\n"  # 5: more places than quantities have (duplicate too)
            "OLD,MAIN,1,\n"  # 6: inactive product
            "BOLT-1,main,2,-1\n"  # 7: duplicate of row 4 (codes compared ignoring case)
        ),
    )
    assert result["status"] == "failed"
    assert errors_of(result) == {
        (2, "warehouse"),
        (3, "sku"),
        (4, "quantity"),
        (5, "sku"),
        (6, "sku"),
        (7, "sku"),
    }
    assert not StockMovement.objects.exists()


def test_a_dry_run_checks_every_row_and_writes_nothing(manager, upload):
    result = upload(manager, "products", csv_file(PRODUCTS + "NEW-1,New,1.00,,,,,\n"), dry_run=True)
    assert (result["status"], result["dry_run"], result["created"]) == ("done", True, 1)
    assert not Product.objects.filter(sku="NEW-1").exists()
    assert not Event.objects.exists()


def test_header_problems_fail_the_file(manager, upload):
    result = upload(manager, "prices", csv_file("sku,prize\nBOLT-1,1\n"))
    assert result["status"] == "failed"
    assert errors_of(result) == {(1, "prize")}
    result = upload(manager, "prices", csv_file("price\n1\n"))
    assert errors_of(result) == {(1, "sku")}


def test_a_file_that_is_not_utf8_fails_with_a_reason(manager, upload):
    file = csv_file("")
    file.file.write("sku,name\nCAFÉ,Café\n".encode("latin-1"))
    file.file.seek(0)
    result = upload(manager, "products", file)
    assert result["status"] == "failed"
    assert result["errors"][0]["field"] == "file"
    assert "UTF-8" in result["errors"][0]["message"]


def test_a_failed_import_mails_a_failure_notice_to_its_owner(manager, upload):
    upload(manager, "prices", csv_file("sku,price\nNOPE,1\n"))
    (notice,) = mail.outbox
    assert notice.to == [manager.user.email]
    assert "failed" in notice.subject


@pytest.mark.parametrize(
    ("name", "content"),
    [("rows.txt.exe", b"sku\n"), ("rows.xlsx", b"sku,name\n"), ("rows.csv", b"PK\x03\x04zip")],
)
def test_a_file_that_is_not_csv_or_xlsx_is_a_400(manager, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = manager.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile(name, content), "kind": "products"},
        format="multipart",
    )
    problem = assert_problem(response, 400, "validation_error")
    assert "file" in problem["errors"]


def test_the_request_itself_is_checked(manager):
    response = manager.post("/api/v1/imports/", {"kind": "widgets"}, format="multipart")
    problem = assert_problem(response, 400, "validation_error")
    assert set(problem["errors"]) == {"file", "kind"}


@pytest.mark.parametrize(
    ("role", "kind", "allowed"),
    [
        (Role.SALES, "customers", True),
        (Role.SALES, "suppliers", False),
        (Role.PURCHASING, "suppliers", True),
        (Role.WAREHOUSE, "opening-stock", True),
        (Role.WAREHOUSE, "prices", False),
        (Role.VIEWER, "products", False),
    ],
)
def test_who_may_import_a_kind_is_who_may_write_it(client_for, role, kind, allowed):
    response = client_for(role).post(
        "/api/v1/imports/", {"file": csv_file("code\n"), "kind": kind}, format="multipart"
    )
    if allowed:
        assert response.status_code == 202
    else:
        assert_problem(response, 403, "permission_denied")


def test_imports_are_seen_by_their_owner_and_admins(client_for, upload):
    owner, other, admin = client_for(Role.MANAGER), client_for(Role.MANAGER), client_for(Role.ADMIN)
    result = upload(owner, "prices", csv_file("sku,price\n"))
    assert_problem(other.get(f"/api/v1/imports/{result['id']}/"), 404, "not_found")
    assert other.get("/api/v1/imports/").json()["count"] == 0
    assert admin.get("/api/v1/imports/").json()["count"] == 1


@pytest.mark.parametrize("kind", ["products", "customers", "suppliers", "opening-stock", "prices"])
def test_templates_give_each_kinds_csv_header(client_for, kind):
    response = client_for(Role.VIEWER).get(f"/api/v1/imports/templates/{kind}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{kind}-template.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff") and text.endswith("\r\n")
    assert text.count("\n") == 1


def test_an_unknown_template_is_a_404(admin_client):
    assert_problem(admin_client.get("/api/v1/imports/templates/widgets/"), 404, "not_found")
