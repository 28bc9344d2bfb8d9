"""What is kept on order per product and warehouse equals what the purchase orders' lines
have outstanding, after every kind of change of an order (``purchasing.on_order``)."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core import errors
from stockyard.inventory.tests.factories import WarehouseFactory
from stockyard.purchasing import services
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.models import OnOrder, PurchaseOrder
from stockyard.purchasing.on_order import on_order_drift, on_order_recount
from stockyard.purchasing.services import LineReceipt, OrderLine
from stockyard.purchasing.tests.factories import (
    make_purchase_order,
    on_order_from_the_documents,
    on_order_kept,
)

pytestmark = pytest.mark.django_db

D = Decimal


def assert_kept() -> dict[tuple[int, int], Decimal]:
    kept = on_order_kept()
    assert kept == on_order_from_the_documents()
    assert all(kept.values())  # a pair with nothing on order has no row
    return kept


def lines_of(order: PurchaseOrder) -> list:
    return list(order.lines.order_by("pk"))


def fresh(order: PurchaseOrder) -> PurchaseOrder:
    return PurchaseOrder.objects.get(pk=order.pk)


def test_every_change_of_an_order_keeps_on_order_equal_to_its_lines(supplier):
    bolt, rope, tape = (ProductFactory() for _ in range(3))
    main, north = WarehouseFactory(), WarehouseFactory()

    draft = make_purchase_order([(bolt, 7), (rope, 4), (bolt, 2)], warehouse=main)
    assert assert_kept() == {(bolt.pk, main.pk): D(9), (rope.pk, main.pk): D(4)}

    services.purchase_order_update(  # the lines replaced
        order=draft, lines=[OrderLine(bolt, D(5)), OrderLine(tape, D(3))], user=None
    )
    assert assert_kept() == {(bolt.pk, main.pk): D(5), (tape.pk, main.pk): D(3)}
    services.purchase_order_update(order=draft, warehouse=north, user=None)  # moved
    assert assert_kept() == {(bolt.pk, north.pk): D(5), (tape.pk, north.pk): D(3)}
    services.purchase_order_update(order=draft, notes="call first", user=None)
    assert_kept()

    submitted = services.purchase_order_submit(order=draft, user=None)
    other = make_purchase_order([(bolt, 10)], warehouse=north, status=Status.SUBMITTED)
    assert assert_kept() == {(bolt.pk, north.pk): D(15), (tape.pk, north.pk): D(3)}

    bolt_line, tape_line = lines_of(submitted)
    services.purchase_order_receive(  # partial
        order=submitted, lines=[LineReceipt(bolt_line.pk, D(2))], user=None
    )
    assert assert_kept() == {(bolt.pk, north.pk): D(13), (tape.pk, north.pk): D(3)}
    with pytest.raises(errors.Conflict):  # more than outstanding: refused, nothing kept
        services.purchase_order_receive(
            order=submitted, lines=[LineReceipt(tape_line.pk, D(4))], user=None
        )
    services.purchase_order_receive(  # the rest of the tape: its pair has no row left
        order=submitted, lines=[LineReceipt(tape_line.pk, D(3))], user=None
    )
    assert assert_kept() == {(bolt.pk, north.pk): D(13)}
    services.purchase_order_return(  # a return to the supplier is not on order
        order=fresh(submitted), lines=[LineReceipt(tape_line.pk, D(1))], user=None
    )
    assert_kept()
    services.purchase_order_close(order=fresh(submitted), user=None)  # 3 never came
    assert assert_kept() == {(bolt.pk, north.pk): D(10)}

    services.purchase_order_cancel(order=other, user=None)
    cancelled_draft = make_purchase_order([(rope, 6)], warehouse=main)
    assert assert_kept() == {(rope.pk, main.pk): D(6)}
    services.purchase_order_cancel(order=cancelled_draft, user=None)
    assert assert_kept() == {}

    received = make_purchase_order([(rope, 6), (tape, 2)], warehouse=main, status=Status.RECEIVED)
    assert assert_kept() == {}
    services.purchase_order_return(
        order=received, lines=[LineReceipt(lines_of(received)[0].pk, D(6))], user=None
    )
    assert assert_kept() == {}


def test_a_refused_change_keeps_nothing(supplier, warehouse, product):
    order = make_purchase_order([(product, 5)], warehouse=warehouse)
    with pytest.raises(errors.ValidationFailed):
        services.purchase_order_update(order=order, lines=[OrderLine(product, D(-1))], user=None)
    with pytest.raises(errors.ValidationFailed):
        services.purchase_order_create(
            supplier=supplier, warehouse=warehouse, lines=[OrderLine(product, D(0))], user=None
        )
    assert assert_kept() == {(product.pk, warehouse.pk): D(5)}


def test_drift_is_found_recounted_and_reported_by_the_ledger_check(warehouse, capsys):
    bolt, rope, tape = (ProductFactory() for _ in range(3))
    make_purchase_order([(bolt, 7), (rope, 4)], warehouse=warehouse, status=Status.SUBMITTED)
    make_purchase_order([(tape, 2)], warehouse=warehouse)
    assert on_order_drift() == []
    call_command("check_stock_ledger")
    assert "every on-order quantity" in capsys.readouterr().out

    # What a release that did not keep it would leave: a pair too high, one missing, and
    # one kept that nothing is on order for.
    OnOrder.objects.filter(product=bolt).update(quantity=D(9))
    OnOrder.objects.filter(product=rope).delete()
    OnOrder.objects.create(product=ProductFactory(sku="GHOST"), warehouse=warehouse, quantity=3)
    drift = {(d.product_sku, d.kept, d.expected) for d in on_order_drift()}
    assert drift == {(bolt.sku, D(9), D(7)), (rope.sku, D(0), D(4)), ("GHOST", D(3), D(0))}
    with pytest.raises(CommandError) as caught:
        call_command("check_stock_ledger")
    assert caught.value.returncode == 1
    assert f"ON ORDER DRIFT {bolt.sku} @ {warehouse.code}: kept 9.000" in capsys.readouterr().err

    call_command("recount_on_order")
    assert "3 pair(s) changed" in capsys.readouterr().out
    assert on_order_drift() == []
    assert assert_kept() == {
        (bolt.pk, warehouse.pk): D(7),
        (rope.pk, warehouse.pk): D(4),
        (tape.pk, warehouse.pk): D(2),
    }
    assert on_order_recount() == 0  # again: nothing to change
