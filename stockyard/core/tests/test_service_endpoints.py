import json
import logging
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from rest_framework.test import APIClient

from stockyard.core.tasks import beat_heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_touches_nothing_and_says_ok(api_client: APIClient, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_database_and_cache(api_client: APIClient):
    response = api_client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["cache"] == "ok"


def test_readyz_is_503_naming_the_failing_check(api_client: APIClient, monkeypatch):
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)
    response = api_client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("failed")
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_is_503_while_migrations_are_unapplied(api_client: APIClient):
    """A new release whose migrate step has not run yet must not take traffic."""
    recorder = MigrationRecorder(connection)
    app, name = max(
        key for key in recorder.applied_migrations() if key[0] == "core"
    )  # the newest applied migration of an app; the test transaction restores it
    recorder.record_unapplied(app, name)

    response = api_client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["migrations"] == f"failed: unapplied migrations: {app}.{name}"
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_shows_when_the_beat_heartbeat_last_ran(api_client: APIClient):
    assert api_client.get("/readyz").json()["beat"] == {"last_seen": None}

    beat_heartbeat.delay()

    response = api_client.get("/readyz")
    assert response.status_code == 200
    last_seen = datetime.fromisoformat(response.json()["beat"]["last_seen"])
    assert timezone.now() - last_seen < timedelta(seconds=5)
    assert response.json()["checks"]["migrations"] == "ok"


def test_schema_documents_the_api(api_client: APIClient):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/auth/token/refresh/",
        "/api/v1/auth/logout/",
        "/api/v1/auth/me/",
        "/api/v1/users/",
        "/api/v1/users/{id}/",
    ]:
        assert path in schema["paths"], path


def test_swagger_and_redoc_pages_render(api_client: APIClient):
    assert api_client.get("/api/docs/").status_code == 200
    assert api_client.get("/api/redoc/").status_code == 200


def test_request_id_is_echoed_and_bound_to_the_log_line(api_client: APIClient, caplog):
    caplog.set_level(logging.INFO, logger="stockyard.request")
    response = api_client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    lines = [r.msg for r in caplog.records if r.name == "stockyard.request"]
    assert lines[-1]["request_id"] == "abc-123"
    assert lines[-1]["status"] == 200
    assert lines[-1]["method"] == "GET"
    assert lines[-1]["path"] == "/healthz"
    assert "duration_ms" in lines[-1]


def test_unsafe_request_ids_are_replaced(api_client: APIClient):
    response = api_client.get("/healthz", HTTP_X_REQUEST_ID="evil\nheader injection")
    assert response["X-Request-ID"] != "evil\nheader injection"
    assert len(response["X-Request-ID"]) == 32


def test_cors_preflight_is_allowed_only_for_configured_origins(api_client: APIClient, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    allowed = api_client.options(
        "/api/v1/auth/me/",
        HTTP_ORIGIN="https://app.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "authorization" in allowed["Access-Control-Allow-Headers"]
    refused = api_client.options(
        "/api/v1/auth/me/",
        HTTP_ORIGIN="https://evil.example.net",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert "Access-Control-Allow-Origin" not in refused


def test_schema_documents_problem_responses_and_headers(api_client: APIClient):
    schema = json.loads(
        api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
    )
    assert "Problem" in schema["components"]["schemas"]
    create_user = schema["paths"]["/api/v1/users/"]["post"]
    assert {"400", "401", "403", "409", "422", "429"} <= set(create_user["responses"])
    assert "application/problem+json" in create_user["responses"]["400"]["content"]
    assert "Idempotency-Key" in [p["name"] for p in create_user["parameters"]]
    update_user = schema["paths"]["/api/v1/users/{id}/"]["patch"]
    assert "412" in update_user["responses"]
    assert "If-Match" in [p["name"] for p in update_user["parameters"]]
