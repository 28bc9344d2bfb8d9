import re

import pytest
from rest_framework.test import APIClient

from stockyard.accounts.roles import Role

pytestmark = pytest.mark.django_db


def _count(client: APIClient, series: str) -> float:
    text = client.get("/metrics").content.decode()
    found = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_requests_are_counted_by_view_and_status_not_by_path(client_for, api_client):
    viewer = client_for(Role.VIEWER)
    seen = 'stockyard_http_requests_total{method="GET",status="200",view="product-detail"}'
    missing = 'stockyard_http_requests_total{method="GET",status="404",view="product-detail"}'
    before = _count(api_client, seen), _count(api_client, missing)

    viewer.get("/api/v1/products/999999/")
    viewer.get("/api/v1/products/999998/")

    assert (_count(api_client, seen), _count(api_client, missing)) == (before[0], before[1] + 2)


def test_latency_is_a_histogram_per_view(api_client):
    api_client.get("/healthz")
    response = api_client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    text = response.content.decode()
    histogram = "stockyard_http_request_duration_seconds"
    assert f'{histogram}_bucket{{le="0.005",method="GET",view="healthz"}}' in text
    assert f'{histogram}_count{{method="GET",view="healthz"}}' in text


def test_made_up_paths_share_one_series(api_client):
    for path in ("/nowhere-1", "/api/v1/nowhere-2/"):
        api_client.get(path)
    text = api_client.get("/metrics").content.decode()
    assert "nowhere" not in text
    assert 'method="GET",status="404",view="unmatched"' in text  # no URL pattern at all
    assert 'method="GET",status="404",view="api-not-found"' in text  # the API's catch-all
