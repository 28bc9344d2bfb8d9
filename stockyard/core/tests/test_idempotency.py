from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from stockyard.accounts.roles import Role
from stockyard.core.models import IdempotencyRecord
from stockyard.core.tasks import purge_expired_idempotency_keys
from stockyard.core.tests import urls as test_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls("stockyard.core.tests.urls")]

URL = "/api/v1/test/counter/"


@pytest.fixture(autouse=True)
def _reset_counter():
    test_urls.counter.calls = 0


@pytest.fixture
def client(client_for) -> APIClient:
    return client_for(Role.VIEWER)


def post(client: APIClient, body: dict, key: str = "key-1"):
    return client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_retry_with_same_key_and_body_replays_the_first_response(client):
    first = post(client, {"a": 1})
    second = post(client, {"a": 1})
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() == {"calls": 1, "echo": {"a": 1}}
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert test_urls.counter.calls == 1


def test_json_key_order_does_not_make_a_different_body(client):
    client.post(URL, '{"a":1,"b":2}', content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    replay = client.post(
        URL, '{ "b": 2, "a": 1 }', content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert replay["Idempotent-Replayed"] == "true"


def test_same_key_with_a_different_body_is_422(client):
    post(client, {"a": 1})
    response = post(client, {"a": 2})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert test_urls.counter.calls == 1


def test_key_still_running_is_409(client):
    now = timezone.now()
    from stockyard.core.idempotency import request_fingerprint

    request = client.post(URL, {"a": 1}, format="json").wsgi_request
    IdempotencyRecord.objects.create(
        user=client.user,
        key="busy",
        fingerprint=request_fingerprint(request),
        created_at=now,
        expires_at=now + timedelta(hours=24),
        locked_until=now + timedelta(seconds=60),
    )
    response = post(client, {"a": 1}, key="busy")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_use"


def test_a_key_abandoned_by_a_crashed_request_can_be_retried(client):
    now = timezone.now()
    from stockyard.core.idempotency import request_fingerprint

    request = client.post(URL, {"a": 1}, format="json").wsgi_request
    IdempotencyRecord.objects.create(
        user=client.user,
        key="stale",
        fingerprint=request_fingerprint(request),
        created_at=now - timedelta(minutes=5),
        expires_at=now + timedelta(hours=24),
        locked_until=now - timedelta(minutes=4),
    )
    response = post(client, {"a": 1}, key="stale")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_keys_are_scoped_per_user(client, client_for):
    other = client_for(Role.VIEWER)
    post(client, {"a": 1})
    response = post(other, {"a": 1})
    assert "Idempotent-Replayed" not in response
    assert test_urls.counter.calls == 2


def test_client_errors_are_stored_and_replayed(client):
    first = post(client, {"status": 409})
    replay = post(client, {"status": 409})
    assert first.status_code == replay.status_code == 409
    assert replay["Idempotent-Replayed"] == "true"


def test_server_errors_are_not_stored_so_a_retry_runs_again(client):
    assert post(client, {"status": 503}).status_code == 503
    retry = post(client, {"status": 503})
    assert "Idempotent-Replayed" not in retry
    assert test_urls.counter.calls == 2
    assert not IdempotencyRecord.objects.exists()


def test_without_a_key_every_post_runs(client):
    client.post(URL, {"a": 1}, format="json")
    client.post(URL, {"a": 1}, format="json")
    assert test_urls.counter.calls == 2


def test_an_oversized_key_is_a_validation_error(client):
    response = post(client, {"a": 1}, key="x" * 300)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_expired_keys_are_purged_and_then_run_again(client):
    post(client, {"a": 1})
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert purge_expired_idempotency_keys.delay().get() == 1
    assert "Idempotent-Replayed" not in post(client, {"a": 1})
    assert test_urls.counter.calls == 2


@pytest.mark.django_db
def test_stored_responses_are_encrypted_at_rest(client_for):
    client = client_for(Role.ADMIN)
    body = {"code": "SUP-1", "name": "Acme", "tax_id": "36-4567890", "bank_account": "DE8937040"}
    first = client.post("/api/v1/suppliers/", body, HTTP_IDEMPOTENCY_KEY="sup-1")
    assert first.status_code == 201
    stored = bytes(IdempotencyRecord.objects.get().response_body)
    assert b"36-4567890" not in stored and b"DE8937040" not in stored and b"Acme" not in stored
    replay = client.post("/api/v1/suppliers/", body, HTTP_IDEMPOTENCY_KEY="sup-1")
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
