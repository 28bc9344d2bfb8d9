"""What a browser needs from the API server itself: docs that work offline, static files
served by the app, a root that lists the resources, and operations that describe themselves."""

import functools
import re
from collections import defaultdict
from typing import Any

import pytest
from django.test import Client, override_settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from stockyard.core import serializers as core_serializers
from stockyard.core import views as core_views
from stockyard.core.views import ETagMixin

pytestmark = pytest.mark.django_db

_ASSET = re.compile(r'(?:src|href)="([^"]+)"')


@override_settings(SERVESTATIC_USE_FINDERS=True)
@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_api_docs_load_every_asset_from_this_server(page: str) -> None:
    client = Client()
    html = client.get(page).content.decode()
    assets = _ASSET.findall(html)
    assert assets, "the page loads its viewer from somewhere"
    assert [url for url in assets if not url.startswith("/")] == []  # no CDN, no fonts
    for url in assets:
        assert client.get(url).status_code == 200, url


@override_settings(SERVESTATIC_USE_FINDERS=True)
def test_the_app_serves_static_files_itself() -> None:
    response = Client().get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


def test_api_root_lists_every_readable_resource(admin_client: APIClient) -> None:
    response = Client().get("/api/v1/")
    assert response.status_code == 200
    resources = response.json()
    assert resources["products"] == "http://testserver/api/v1/products/"
    assert {"sales-orders", "stock-levels", "reports/sales", "events", "auth/me"} <= set(resources)
    assert "purchase-orders/from-suggestions" not in resources  # POST only
    for name, url in resources.items():
        answer = admin_client.get(url.removeprefix("http://testserver"))
        assert answer.status_code == 200, name


def test_unknown_api_paths_still_answer_problem_json() -> None:
    response = Client().get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@functools.cache
def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_each_operation_has_its_own_description() -> None:
    """A building block's docstring (ETagMixin's) must not describe every operation."""
    mixin_doc = (ETagMixin.__doc__ or "").strip().splitlines()[0]
    by_path: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            description = operation.get("description", "")
            assert description, f"{method.upper()} {path} has no description"
            assert mixin_doc not in description, f"{method.upper()} {path}"
            by_path[path][description].append(method)
    shared = {
        path: methods
        for path, descriptions in by_path.items()
        for methods in descriptions.values()
        if len(methods) > 1
    }
    assert shared == {}


def _building_block_docs() -> list[str]:
    """First lines of the docstrings of core's view and serializer base classes."""
    blocks = [*vars(core_views).values(), *vars(core_serializers).values()]
    return [
        block.__doc__.strip().splitlines()[0]
        for block in blocks
        if isinstance(block, type)
        and block.__module__.startswith("stockyard.core")
        and block.__doc__
    ]


def test_components_do_not_inherit_a_building_blocks_docstring() -> None:
    schema = _schema()
    docs = _building_block_docs()
    assert any("fields are built" in doc for doc in docs)  # FieldsBuiltOnce is among them
    leaked = {
        name: doc
        for name, component in schema["components"]["schemas"].items()
        for doc in docs
        if doc in component.get("description", "")
    }
    assert leaked == {}


def test_ids_in_paths_are_integers() -> None:
    """Clients generated from the schema must take and send ids as numbers."""
    typed = {
        (path, parameter["name"]): parameter["schema"].get("type")
        for path, operations in _schema()["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"] in {"id", "pk"}
    }
    assert len(typed) > 20
    assert {key: kind for key, kind in typed.items() if kind != "integer"} == {}
