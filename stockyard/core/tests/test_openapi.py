"""The OpenAPI document promises every answer the API can give (found by ``make fuzz``:
Schemathesis' status-code and response-schema conformance checks)."""

import typing
from types import NoneType, UnionType
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_read_with_query_parameters_documents_400(schema):
    """``?page_size=0``, ``?date_from=yesterday``: a list or report refuses bad query
    parameters with 400, so its operation must say so."""
    undocumented = [
        path
        for path, operations in schema["paths"].items()
        if "get" in operations
        and any(p["in"] == "query" for p in operations["get"].get("parameters", []))
        and "400" not in operations["get"]["responses"]
    ]
    assert undocumented == []


def _serializers() -> list[type[serializers.Serializer[Any]]]:
    found, pending = [], [serializers.Serializer]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("stockyard."):
                found.append(subclass)
    return found


def _may_be_none(method: Any) -> bool:
    returned = typing.get_type_hints(method).get("return")
    return isinstance(returned, UnionType) and NoneType in typing.get_args(returned)


def test_method_fields_that_may_be_null_are_nullable_in_the_schema(schema):
    """A ``SerializerMethodField`` whose getter may return None (an export's
    ``download_url`` until it is done) must be ``nullable``, or clients reject the null."""
    components = schema["components"]["schemas"]
    undocumented = []
    for serializer in _serializers():
        component = components.get(serializer.__name__.removesuffix("Serializer"))
        if component is None:
            continue
        for name, field in serializer._declared_fields.items():
            getter = getattr(serializer, f"get_{name}", None)
            nullable = component["properties"].get(name, {}).get("nullable", False)
            method = isinstance(field, serializers.SerializerMethodField)
            if method and _may_be_none(getter) and not nullable:
                undocumented.append(f"{serializer.__name__}.{name}")
    assert undocumented == []
