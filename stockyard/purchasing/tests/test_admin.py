import pytest
from django.test import Client

from stockyard.accounts.roles import Role
from stockyard.purchasing.enums import PurchaseOrderStatus as Status
from stockyard.purchasing.tests.factories import make_purchase_order

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/purchasing/purchaseorder/"


@pytest.fixture
def admin_site(make_user) -> Client:
    client = Client()
    client.force_login(make_user(Role.ADMIN))
    return client


def test_orders_and_their_lines_are_shown(admin_site, product):
    order = make_purchase_order([(product, 5)])
    assert order.number in admin_site.get(CHANGELIST).content.decode()
    page = admin_site.get(f"{CHANGELIST}{order.pk}/change/").content.decode()
    assert product.sku in page


def test_transition_actions_call_the_services_and_report_refusals(admin_site, product):
    draft = make_purchase_order([(product, 5)])
    received = make_purchase_order([(product, 5)], status=Status.RECEIVED)
    response = admin_site.post(
        CHANGELIST,
        {"action": "submit", "_selected_action": [draft.pk, received.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("Cannot submit purchase order" in m for m in messages)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED

    admin_site.post(CHANGELIST, {"action": "receive_outstanding", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Status.RECEIVED
    assert draft.lines.get().quantity_received == 5
