"""Oversized and hostile bodies get 413/400 problem+json, never a 500."""

import json

import pytest
from django.test import override_settings

from stockyard.accounts.roles import Role
from stockyard.core.limits import MAX_JSON_DEPTH, json_depth
from stockyard.core.testing import assert_problem

pytestmark = pytest.mark.django_db


def nested(depth: int) -> str:
    return '{"code": "W1", "name": "x", "address": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("idempotency", [{}, {"HTTP_IDEMPOTENCY_KEY": "big-1"}])
def test_a_body_over_the_limit_is_413(client_for, idempotency):
    client = client_for(Role.ADMIN)
    client.raise_request_exception = False
    body = json.dumps({"code": "W1", "name": "x", "address": "a" * 3_000_000})
    response = client.post(
        "/api/v1/warehouses/", body, content_type="application/json", **idempotency
    )
    assert_problem(response, 413, "payload_too_large")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_the_limit_is_a_setting(client_for):
    client = client_for(Role.ADMIN)
    small = client.post("/api/v1/warehouses/", {"code": "W1", "name": "x"})
    assert small.status_code == 201
    big = client.post("/api/v1/warehouses/", {"code": "W2", "name": "x" * 1000})
    assert_problem(big, 413, "payload_too_large")


@pytest.mark.parametrize("with_key", [False, True])
def test_json_nested_too_deep_is_400_parse_error(client_for, with_key):
    client = client_for(Role.ADMIN)
    client.raise_request_exception = False
    for depth in (MAX_JSON_DEPTH + 1, 1000, 100_000):
        key = {"HTTP_IDEMPOTENCY_KEY": f"deep-{depth}"} if with_key else {}
        response = client.post(
            "/api/v1/warehouses/", nested(depth), content_type="application/json", **key
        )
        assert_problem(response, 400, "parse_error")


def test_json_within_the_depth_limit_is_read(client_for):
    client = client_for(Role.ADMIN)
    response = client.post(
        "/api/v1/warehouses/", nested(MAX_JSON_DEPTH - 1), content_type="application/json"
    )
    # Parsed, then refused by the serializer for its shape: not a parse error.
    assert_problem(response, 400, "validation_error")


def test_json_depth():
    assert json_depth(1) == 0
    assert json_depth([]) == 1
    assert json_depth({"a": [1, {"b": []}]}) == 4
