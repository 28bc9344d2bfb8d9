"""Webhooks: the API, and deliveries POSTed to a real local HTTP server."""

import contextlib
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from stockyard.accounts.roles import Role
from stockyard.core.testing import assert_problem, run_concurrently
from stockyard.events import webhooks
from stockyard.events.models import DeliveryStatus, Event, Webhook, WebhookDelivery
from stockyard.events.services import publish
from stockyard.events.tasks import deliver_webhook, dispatch_webhook_retries, sequence_events
from stockyard.events.webhooks import webhook_create, webhook_delivery_attempt

WEBHOOKS = "/api/v1/webhooks/"
SECRET = "whsec-test-0123456789abcdef"


class Receiver:
    """A real HTTP server on 127.0.0.1 that records POSTs and answers ``statuses`` in
    turn (then 200)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes, str]] = []
        self.statuses: list[int] = []
        self.url = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    received = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.requests.append((dict(self.headers), body, self.path))
            self.send_response(received.statuses.pop(0) if received.statuses else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    received.url = f"http://127.0.0.1:{server.server_port}/hooks/stockyard?source=test"
    yield received
    server.shutdown()
    server.server_close()


@pytest.fixture
def private_targets(settings) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def manager(client_for) -> APIClient:
    return client_for(Role.MANAGER)


def publish_one(type: str, data: dict | None = None) -> Event:
    with transaction.atomic():
        return publish(type, data or {"id": 7, "number": "SO-000007", "status": "confirmed"})


def verify(signature: str, body: bytes, secret: str = SECRET) -> int:
    """What a receiver does: recompute the HMAC; returns the signed timestamp."""
    fields = dict(part.split("=", 1) for part in signature.split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256)
    assert hmac.compare_digest(fields["v1"], expected.hexdigest())
    return int(fields["t"])


# --- the API -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_manager_creates_a_webhook_whose_secret_is_write_only_and_encrypted(
    manager, receiver, private_targets
):
    body = {"url": receiver.url, "events": ["sales_order.*", "stock.changed"], "secret": SECRET}
    response = manager.post(WEBHOOKS, body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert "secret" not in created
    assert created["url"] == receiver.url
    assert created["events"] == ["sales_order.*", "stock.changed"]
    assert created["is_active"] is True
    assert "secret" not in manager.get(f"{WEBHOOKS}{created['id']}/").json()
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM events_webhook WHERE id = %s", [created["id"]])
        (stored,) = cursor.fetchone()
    assert SECRET not in stored
    assert stored.startswith("fernet:")
    assert Webhook.objects.get().secret == SECRET


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VIEWER, Role.SALES, Role.PURCHASING, Role.WAREHOUSE])
def test_only_managers_and_admins_manage_webhooks(client_for, role):
    client = client_for(role)
    assert_problem(client.get(WEBHOOKS), 403, "permission_denied")
    body = {"url": "https://93.184.216.34/hook", "events": ["*"], "secret": SECRET}
    assert_problem(client.post(WEBHOOKS, body), 403, "permission_denied")
    assert client_for(Role.ADMIN).get(WEBHOOKS).status_code == 200


@pytest.mark.django_db
def test_anonymous_requests_answer_401(api_client):
    assert_problem(api_client.get(WEBHOOKS), 401, "not_authenticated")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["https://93.184.216.34/hook", "https://[64:ff9b::5db8:d822]/hook", "https://[2606:4700::1]/"],
)
def test_a_public_address_is_accepted(manager, url):
    body = {"url": url, "events": ["*"], "secret": SECRET}
    assert manager.post(WEBHOOKS, body).status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        # IPv6 addresses that lead to an IPv4 one: NAT64, 6to4, IPv4-compatible, Teredo.
        "http://[64:ff9b::7f00:1]/hook",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
        "http://[64:ff9b:1::a00:1]/hook",
        "http://[2002:7f00:1::]/hook",
        "http://[2002:c0a8:a::1]/hook",
        "http://[::127.0.0.1]/hook",
        "http://[::10.0.0.1]/hook",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",
        "http://0.0.0.0/hook",
        "http://240.0.0.1/hook",
    ],
)
def test_loopback_private_link_local_and_reserved_targets_are_refused(manager, url):
    response = manager.post(WEBHOOKS, {"url": url, "events": ["*"], "secret": SECRET})
    body = assert_problem(response, 400, "validation_error")
    assert "public addresses" in body["errors"]["url"][0]
    assert not Webhook.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://93.184.216.34/x", "events": ["*"], "secret": SECRET}, "url"),
        ({"url": "https://user:pw@93.184.216.34/x", "events": ["*"], "secret": SECRET}, "url"),
        ({"url": "https://no-such-host.invalid/x", "events": ["*"], "secret": SECRET}, "url"),
        ({"url": "https://93.184.216.34/x", "events": [], "secret": SECRET}, "events"),
        ({"url": "https://93.184.216.34/x", "events": ["Stock"], "secret": SECRET}, "events.0"),
        ({"url": "https://93.184.216.34/x", "events": ["*"], "secret": "short"}, "secret"),
        ({"url": "https://93.184.216.34/x", "events": ["*"]}, "secret"),
    ],
)
def test_invalid_webhooks_answer_400_with_the_field(manager, body, field):
    response = assert_problem(manager.post(WEBHOOKS, body), 400, "validation_error")
    assert field in response["errors"]


@pytest.mark.django_db
def test_changing_the_url_checks_the_target_again(manager):
    webhook = webhook_create(url="https://93.184.216.34/x", events=["*"], secret=SECRET)
    response = manager.patch(f"{WEBHOOKS}{webhook.pk}/", {"url": "http://10.0.0.1/x"})
    assert_problem(response, 400, "validation_error")
    webhook.refresh_from_db()
    assert webhook.url == "https://93.184.216.34/x"


# --- deliveries ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_matching_event_is_posted_once_signed_with_the_secret(receiver, private_targets):
    webhook = webhook_create(url=receiver.url, events=["sales_order.*"], secret=SECRET)
    webhook_create(url=receiver.url, events=["stock.*"], secret=SECRET)  # does not match
    inactive = webhook_create(url=receiver.url, events=["*"], secret=SECRET, is_active=False)

    event = publish_one("sales_order.confirmed")

    delivery = WebhookDelivery.objects.get()
    assert (delivery.webhook, delivery.event) == (webhook, event)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert not inactive.deliveries.exists()
    [(headers, body, path)] = receiver.requests
    assert path == "/hooks/stockyard?source=test"
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {
        "id": event.pk,
        "type": "sales_order.confirmed",
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": {"id": 7, "number": "SO-000007", "status": "confirmed"},
    }
    assert abs(verify(headers["Stockyard-Signature"], body) - time.time()) < 60
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_failed_delivery_is_retried_with_backoff_until_it_succeeds(
    receiver, private_targets, admin_client
):
    webhook = webhook_create(url=receiver.url, events=["*"], secret=SECRET)
    receiver.statuses = [500]
    publish_one("stock.changed")

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=5) < wait <= timedelta(seconds=10)
    assert dispatch_webhook_retries.delay().get() == 0  # not due yet: nothing is sent
    assert len(receiver.requests) == 1

    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert dispatch_webhook_retries.delay().get() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    assert len(receiver.requests) == 2
    first, second = (body for _, body, _ in receiver.requests)
    assert first == second  # the same event JSON, signed afresh

    listed = admin_client.get(f"{WEBHOOKS}{webhook.pk}/deliveries/").json()
    assert listed["count"] == 2
    newest, oldest = listed["results"]
    assert (newest["status_code"], oldest["status_code"]) == (200, 500)
    assert newest["event"] == oldest["event"] == delivery.event_id
    assert newest["event_type"] == "stock.changed"
    assert newest["delivery_status"] == "delivered"
    assert newest["next_attempt_at"] is None
    assert set(newest) >= {"event", "status_code", "attempted_at", "error", "duration_ms"}


@pytest.mark.django_db(transaction=True)
def test_the_backoff_doubles_and_gives_up_24_hours_after_the_event(receiver, private_targets):
    webhook_create(url=receiver.url, events=["*"], secret=SECRET)
    receiver.statuses = [503, 503, 503]
    event = publish_one("stock.changed")
    for _ in range(2):
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        before = timezone.now()
        deliver_webhook.delay(WebhookDelivery.objects.get().pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 3
    assert timedelta(seconds=40) <= delivery.next_attempt_at - before < timedelta(seconds=45)

    Event.objects.filter(pk=event.pk).update(occurred_at=timezone.now() - timedelta(hours=24))
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    receiver.statuses = [500]
    deliver_webhook.delay(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 4
    assert delivery.attempt_log.count() == 4


@pytest.mark.django_db(transaction=True)
def test_running_a_delivery_task_again_sends_nothing_more(receiver, private_targets):
    webhook_create(url=receiver.url, events=["*"], secret=SECRET)
    publish_one("stock.changed")
    delivery = WebhookDelivery.objects.get()
    deliver_webhook.delay(delivery.pk)
    deliver_webhook.delay(delivery.pk)
    assert len(receiver.requests) == 1
    assert delivery.attempt_log.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_event_sequenced_by_the_sweep_is_delivered_exactly_once(receiver, private_targets):
    """The process died between commit and its hook: the sweep sequences the event and
    makes its delivery in the same transaction; sequencing again makes none."""
    webhook_create(url=receiver.url, events=["*"], secret=SECRET)
    with transaction.atomic():  # as the outbox would, minus the after-commit hook
        Event.objects.create(type="stock.changed", occurred_at=timezone.now(), data={})
    assert sequence_events.delay().get() == 1
    assert sequence_events.delay().get() == 0
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_a_target_that_turns_private_at_delivery_time_is_not_called(receiver, settings):
    """DNS rebinding: the host was acceptable when saved; at delivery it resolves to a
    private address and is refused without a request."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    webhook_create(url=receiver.url, events=["*"], secret=SECRET)
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    publish_one("stock.changed")
    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert "public addresses" in attempt.error
    assert delivery.status == DeliveryStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_target_is_recorded_and_retried(private_targets):
    webhook_create(url="http://127.0.0.1:9/hook", events=["*"], secret=SECRET)  # discard port
    publish_one("stock.changed")
    delivery = WebhookDelivery.objects.get()
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert "Connection" in attempt.error or "Errno" in attempt.error
    assert delivery.status == DeliveryStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_deactivating_a_webhook_gives_up_its_pending_deliveries(receiver, private_targets, manager):
    webhook = webhook_create(url=receiver.url, events=["*"], secret=SECRET)
    receiver.statuses = [500]
    publish_one("stock.changed")
    response = manager.patch(f"{WEBHOOKS}{webhook.pk}/", {"is_active": False})
    assert response.status_code == 200
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED
    publish_one("stock.changed")
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
def test_the_deliveries_list_reads_with_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries, private_targets, receiver
):
    webhook = webhook_create(url=receiver.url, events=["*"], secret=SECRET)
    for _ in range(5):
        publish_one("stock.changed")
    sequence_events.delay().get()  # in this test's transaction: deliveries, no POSTs yet
    for delivery in WebhookDelivery.objects.all():
        webhook_delivery_attempt(delivery_id=delivery.pk)
    with django_assert_max_num_queries(8):
        listed = admin_client.get(f"{WEBHOOKS}{webhook.pk}/deliveries/").json()
    assert listed["count"] == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_post_a_delivery_once(receiver, private_targets):
    webhook = webhook_create(url=receiver.url, events=["*"], secret=SECRET)
    with transaction.atomic():  # a delivery made, its task not run yet
        event = Event.objects.create(type="stock.changed", occurred_at=timezone.now(), data={})
        Event.objects.filter(pk=event.pk).update(position=1)
        delivery = WebhookDelivery.objects.create(
            webhook=webhook, event=event, next_attempt_at=timezone.now()
        )
    outcomes = run_concurrently(lambda _: webhook_delivery_attempt(delivery_id=delivery.pk), 4)
    assert sum(outcome is not None for outcome in outcomes) == 1
    assert len(receiver.requests) == 1
    assert delivery.attempt_log.count() == 1


@pytest.fixture
def trickling_receiver() -> Iterator[str]:
    """A real socket server that answers "200 OK" one byte every 0.25 s (5 s in all)."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except OSError:
                continue
            with client:
                client.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"[:20]:
                    if stop.is_set():
                        return
                    with contextlib.suppress(OSError):
                        client.sendall(bytes([byte]))
                    time.sleep(0.25)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/hook"
    stop.set()
    thread.join(timeout=5)
    server.close()


@pytest.mark.django_db(transaction=True)
def test_a_trickling_receiver_is_cut_off_at_the_attempt_deadline(
    trickling_receiver, private_targets, monkeypatch
):
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 1.0)
    webhook_create(url=trickling_receiver, events=["*"], secret=SECRET)
    started = time.monotonic()
    publish_one("stock.changed")
    delivery = WebhookDelivery.objects.get()
    [attempt] = delivery.attempt_log.all()
    assert time.monotonic() - started < 3
    assert attempt.status_code is None
    assert "TimeoutError" in attempt.error
    assert delivery.status == DeliveryStatus.PENDING  # retried later, with backoff
