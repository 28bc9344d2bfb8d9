from datetime import date, timedelta
from decimal import Decimal

import pytest

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.events.models import Event
from stockyard.inventory import services as inventory
from stockyard.inventory.enums import MovementKind
from stockyard.inventory.models import StockLevel, StockMovement
from stockyard.inventory.tests.factories import WarehouseFactory, put_stock
from stockyard.partners.tests.factories import SupplierFactory
from stockyard.purchasing import services
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.models import PurchaseOrder, PurchaseOrderLine
from stockyard.purchasing.services import LineReceipt, OrderLine
from stockyard.purchasing.tests.factories import make_purchase_order

pytestmark = pytest.mark.django_db

D = Decimal


def receive(order: PurchaseOrder, *receipts: tuple[PurchaseOrderLine, str]) -> PurchaseOrder:
    return services.purchase_order_receive(
        order=order, lines=[LineReceipt(line.pk, D(qty)) for line, qty in receipts], user=None
    )


def lines_of(order: PurchaseOrder) -> list[PurchaseOrderLine]:
    return list(order.lines.order_by("id"))


# --- create and update ---------------------------------------------------------------


def test_create_prices_lines_half_up_and_totals_the_order(supplier, warehouse, product, emitted):
    cheap = ProductFactory(cost=D("0.335"))
    order = services.purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[
            OrderLine(cheap, D("3"), tax_rate=D("20.00")),  # 1.005 → 1.01, tax 0.202 → 0.20
            OrderLine(product, D("2.5")),  # at the product's cost, 4.00
        ],
        user=None,
    )
    first, second = lines_of(order)
    assert (first.line_subtotal, first.line_tax, first.line_total) == (
        D("1.01"),
        D("0.20"),
        D("1.21"),
    )
    assert second.unit_cost == D("4.00")
    assert second.line_total == D("10.00")
    order.refresh_from_db()
    assert (order.subtotal, order.tax_total, order.total) == (D("11.01"), D("0.20"), D("11.21"))
    assert order.status == Status.DRAFT
    assert order.number == f"PO-{order.pk:06d}"
    assert order.currency == supplier.currency
    assert order.order_date == date.today()
    [event] = emitted("purchase_order.created")
    assert event["data"] == {
        "id": order.pk,
        "number": order.number,
        "status": "draft",
        "supplier": supplier.pk,
        "warehouse": warehouse.pk,
        "currency": "USD",
        "total": "11.21",
    }


def test_numbers_follow_the_primary_key_and_are_unique(supplier, warehouse):
    orders = [
        services.purchase_order_create(supplier=supplier, warehouse=warehouse, user=None)
        for _ in range(3)
    ]
    assert [o.number for o in orders] == [f"PO-{o.pk:06d}" for o in orders]
    assert len({o.number for o in orders}) == 3


def test_create_refuses_inactive_partners_and_bad_lines_and_writes_nothing(
    supplier, warehouse, product
):
    retired = ProductFactory(is_active=False)
    with pytest.raises(errors.ValidationFailed) as refused:
        services.purchase_order_create(
            supplier=supplier,
            warehouse=warehouse,
            lines=[
                OrderLine(product, D("0")),
                OrderLine(retired, D("1"), tax_rate=D("101")),
                OrderLine(product, D("1"), unit_cost=D("-1")),
            ],
            user=None,
        )
    assert refused.value.errors == {
        "lines.0.quantity": ["Must be greater than 0."],
        "lines.1.product": [f"Product {retired.sku} is inactive."],
        "lines.1.tax_rate": ["Must be between 0 and 100."],
        "lines.2.unit_cost": ["Must not be negative."],
    }
    supplier.is_active = False
    supplier.save()
    with pytest.raises(errors.ValidationFailed) as refused:
        services.purchase_order_create(supplier=supplier, warehouse=warehouse, user=None)
    assert "supplier" in refused.value.errors
    assert not PurchaseOrder.objects.exists()
    assert not Event.objects.filter(type__startswith="purchase_order.").exists()


def test_expected_date_may_not_precede_the_order_date(supplier, warehouse):
    with pytest.raises(errors.ValidationFailed) as refused:
        services.purchase_order_create(
            supplier=supplier,
            warehouse=warehouse,
            order_date=date(2025, 5, 2),
            expected_date=date(2025, 5, 1),
            user=None,
        )
    assert refused.value.errors == {"expected_date": ["Must not be before order_date."]}


def test_a_draft_is_edited_freely_and_its_lines_replaced(
    supplier, warehouse, product, other_product
):
    order = make_purchase_order([(product, 5)], supplier=supplier, warehouse=warehouse)
    other_supplier = SupplierFactory()
    order = services.purchase_order_update(
        order=order,
        user=None,
        supplier=other_supplier,
        lines=[OrderLine(other_product, D("4")), OrderLine(product, D("1"), unit_cost=D("9.99"))],
    )
    order.refresh_from_db()
    assert order.supplier == other_supplier
    assert [(line.product, line.quantity) for line in lines_of(order)] == [
        (other_product, D("4")),
        (product, D("1")),
    ]
    assert order.total == D("10.00") + D("9.99")


def test_after_draft_only_notes_and_expected_date_change(supplier, warehouse, product):
    order = make_purchase_order([(product, 5)], warehouse=warehouse, status=Status.SUBMITTED)
    later = date.today() + timedelta(days=7)
    order = services.purchase_order_update(
        order=order, user=None, notes="Call before delivery", expected_date=later
    )
    order.refresh_from_db()
    assert (order.notes, order.expected_date) == ("Call before delivery", later)
    # Sending back an unchanged value (a full PUT) is not a change.
    services.purchase_order_update(order=order, user=None, warehouse=warehouse, notes="ok")

    with pytest.raises(errors.InvalidTransition):
        services.purchase_order_update(order=order, user=None, warehouse=WarehouseFactory())
    with pytest.raises(errors.InvalidTransition):
        services.purchase_order_update(order=order, user=None, lines=[OrderLine(product, D("9"))])
    assert [line.quantity for line in lines_of(order)] == [D("5")]


# --- the state machine ----------------------------------------------------------------

TRANSITIONS = {
    "submit": ({Status.DRAFT}, Status.SUBMITTED),
    "cancel": ({Status.DRAFT, Status.SUBMITTED}, Status.CANCELLED),
    "close": ({Status.PARTIALLY_RECEIVED, Status.RECEIVED}, Status.CLOSED),
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_transition_from_every_status(action, status, product, emitted):
    allowed, target = TRANSITIONS[action]
    order = make_purchase_order([(product, 5)], status=status)
    service = getattr(services, f"purchase_order_{action}")
    if status in allowed:
        assert service(order=order, user=None).status == target
        assert emitted(f"purchase_order.{target}")
    else:
        with pytest.raises(errors.InvalidTransition):
            service(order=order, user=None)
        order.refresh_from_db()
        assert order.status == status


@pytest.mark.parametrize("status", list(Status))
def test_receiving_is_allowed_only_on_submitted_and_partially_received_orders(status, product):
    order = make_purchase_order([(product, 5)], status=status)
    line = order.lines.get()
    if status in (Status.SUBMITTED, Status.PARTIALLY_RECEIVED):
        assert receive(order, (line, "1")).status == Status.PARTIALLY_RECEIVED
    else:
        with pytest.raises(errors.InvalidTransition):
            receive(order, (line, "1"))


def test_an_order_without_lines_cannot_be_submitted(supplier, warehouse):
    order = services.purchase_order_create(supplier=supplier, warehouse=warehouse, user=None)
    with pytest.raises(errors.InvalidTransition, match="no lines"):
        services.purchase_order_submit(order=order, user=None)
    order.refresh_from_db()
    assert order.status == Status.DRAFT


def test_an_order_with_receipts_is_closed_not_cancelled(product):
    order = make_purchase_order([(product, 5)], status=Status.PARTIALLY_RECEIVED)
    with pytest.raises(errors.InvalidTransition, match="close it instead"):
        services.purchase_order_cancel(order=order, user=None)


def test_closing_a_partially_received_order_stops_further_receipts(product):
    order = make_purchase_order([(product, 5)], status=Status.CLOSED)
    with pytest.raises(errors.InvalidTransition):
        receive(order, (order.lines.get(), "1"))
    assert order.lines.get().quantity_received == D("1")


# --- receiving ------------------------------------------------------------------------


def test_partial_receipts_of_several_lines_then_the_rest(
    warehouse, product, other_product, emitted
):
    order = make_purchase_order(
        [(product, 10, "4.00"), (other_product, 4, "2.50")],
        warehouse=warehouse,
        status=Status.SUBMITTED,
    )
    first, second = lines_of(order)

    order = receive(order, (first, "6"), (second, "4"))
    assert order.status == Status.PARTIALLY_RECEIVED
    assert [line.quantity_received for line in lines_of(order)] == [D("6"), D("4")]
    assert StockLevel.objects.get(product=product, warehouse=warehouse).on_hand == D("6")
    assert StockLevel.objects.get(product=other_product, warehouse=warehouse).on_hand == D("4")

    order = receive(order, (first, "4"))
    assert order.status == Status.RECEIVED
    movements = StockMovement.objects.filter(reference_type="purchase_order", reference_id=order.pk)
    assert sorted((m.product_id, m.quantity, m.unit_cost) for m in movements) == sorted(
        [
            (product.pk, D("6"), D("4.00")),
            (other_product.pk, D("4"), D("2.50")),
            (product.pk, D("4"), D("4.00")),
        ]
    )
    assert {m.kind for m in movements} == {MovementKind.RECEIPT}
    first_receipt, second_receipt = emitted("purchase_order.received")
    assert first_receipt["data"]["status"] == "partially_received"
    assert first_receipt["data"]["lines"] == [
        {"line": first.pk, "product": product.pk, "quantity": "6.000"},
        {"line": second.pk, "product": other_product.pk, "quantity": "4.000"},
    ]
    assert second_receipt["data"]["status"] == "received"
    assert second_receipt["data"]["number"] == order.number


def test_two_receipts_at_different_costs_give_the_moving_average(warehouse):
    product = ProductFactory()
    for cost in ("4.00", "6.00"):
        order = make_purchase_order(
            [(product, 10, cost)], warehouse=warehouse, status=Status.SUBMITTED
        )
        receive(order, (order.lines.get(), "10"))
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert (level.on_hand, level.average_cost) == (D("20"), D("5.0000"))


def test_receiving_more_than_outstanding_changes_nothing(
    warehouse, product, other_product, stock_snapshot, emitted
):
    put_stock(product, warehouse, 3)
    order = make_purchase_order(
        [(product, 10), (other_product, 5)], warehouse=warehouse, status=Status.PARTIALLY_RECEIVED
    )
    first, second = lines_of(order)
    before, events_before = stock_snapshot(), len(emitted())

    with pytest.raises(errors.Conflict) as refused:
        receive(order, (second, "2"), (first, "9.5"))  # the first line has 9 outstanding
    assert refused.value.code == "conflict"
    assert refused.value.errors == {
        "lines.1.quantity": [f"Only 9.000 of {product.sku} outstanding; cannot receive 9.5."]
    }
    assert stock_snapshot() == before
    assert len(emitted()) == events_before
    assert [line.quantity_received for line in lines_of(order)] == [D("1"), D("0")]
    order.refresh_from_db()
    assert order.status == Status.PARTIALLY_RECEIVED


def test_receipt_lines_must_belong_to_the_order_once_each(product, stock_snapshot):
    order = make_purchase_order([(product, 10)], status=Status.SUBMITTED)
    elsewhere = make_purchase_order([(product, 10)], status=Status.SUBMITTED).lines.get()
    line = order.lines.get()
    before = stock_snapshot()
    with pytest.raises(errors.ValidationFailed) as refused:
        receive(order, (line, "1"), (elsewhere, "1"), (line, "1"))
    assert refused.value.errors == {
        "lines.1.line": [f"Line {elsewhere.pk} is not on {order.number}."],
        "lines.2.line": ["This line is named more than once."],
    }
    with pytest.raises(errors.ValidationFailed) as refused:
        receive(order)
    assert refused.value.errors == {"lines": ["Name at least one line to receive."]}
    with pytest.raises(errors.ValidationFailed):
        receive(order, (line, "0"))
    assert stock_snapshot() == before
    assert order.lines.get().quantity_received == 0


# --- from suggestions and reorder alerts --------------------------------------------------


def test_drafts_from_suggestions_one_per_default_supplier(warehouse):
    acme, globex, retired = SupplierFactory(), SupplierFactory(), SupplierFactory(is_active=False)
    bolts = ProductFactory(
        supplier=acme, cost=D("0.10"), reorder_point=D(50), reorder_quantity=D(100)
    )
    nuts = ProductFactory(
        supplier=acme, cost=D("0.05"), reorder_point=D(50), reorder_quantity=D(10)
    )
    gears = ProductFactory(
        supplier=globex, cost=D("3.00"), reorder_point=D(5), reorder_quantity=D(20)
    )
    orphan = ProductFactory(supplier=None, reorder_point=D(5))
    stale = ProductFactory(supplier=retired, reorder_point=D(5))
    for item in (bolts, nuts, gears, orphan, stale):
        put_stock(item, warehouse, 1)

    orders, skipped = services.purchase_order_create_from_suggestions(
        warehouse=warehouse, user=None
    )

    placed = {
        order.supplier: {
            (line.product, line.quantity, line.unit_cost) for line in order.lines.all()
        }
        for order in orders
    }
    assert placed == {
        acme: {(bolts, D("100"), D("0.10")), (nuts, D("50"), D("0.05"))},
        globex: {(gears, D("20"), D("3.00"))},
    }
    assert all(order.status == Status.DRAFT and order.warehouse == warehouse for order in orders)
    assert {(s.suggestion.product, s.reason) for s in skipped} == {
        (orphan.pk, "The product has no default supplier."),
        (stale.pk, f"Supplier {retired.code} is inactive."),
    }


def test_drafting_from_suggestions_again_drafts_nothing_twice(warehouse):
    short = ProductFactory(supplier=SupplierFactory(), reorder_point=D(10), reorder_quantity=D(30))
    put_stock(short, warehouse, 2)
    first, _ = services.purchase_order_create_from_suggestions(warehouse=warehouse, user=None)

    again, skipped = services.purchase_order_create_from_suggestions(warehouse=warehouse, user=None)

    assert [line.quantity for order in first for line in order.lines.all()] == [D(30)]
    assert (again, skipped) == ([], [])
    assert PurchaseOrder.objects.count() == 1


def test_reorder_alerts_fire_once_a_day_per_product_and_warehouse(warehouse, emitted):
    low, fine = ProductFactory(reorder_point=D(5)), ProductFactory(reorder_point=D(5))
    put_stock(low, warehouse, 2)
    put_stock(fine, warehouse, 50)
    already = ProductFactory(reorder_point=D(5))
    put_stock(already, warehouse, 6)
    inventory.stock_adjust(  # crosses the reorder point: inventory alerts at once
        product=already, warehouse=warehouse, quantity=D("-2"), reason="damaged"
    )
    assert len(emitted("stock.below_reorder_point")) == 1

    assert services.reorder_alerts_publish() == 1
    assert services.reorder_alerts_publish() == 0
    alerts = emitted("stock.below_reorder_point")
    assert [(a["data"]["product"], a["data"]["warehouse"]) for a in alerts] == [
        (already.pk, warehouse.pk),
        (low.pk, warehouse.pk),
    ]
    assert alerts[1]["data"] == {
        "product": low.pk,
        "product_sku": low.sku,
        "warehouse": warehouse.pk,
        "warehouse_code": warehouse.code,
        "available": "2.000",
        "on_order": "0.000",
        "reorder_point": "5.000",
        "suggested_quantity": "20.000",
        "supplier": low.supplier_id,
    }
