"""The console page at /app/: served for every route under it, with its OAuth2 client
provided for whatever origin the server answers on."""

from pathlib import Path

import pytest
from django.test import Client
from oauth2_provider.models import Application

from stockyard.accounts.services import CONSOLE_CLIENT_ID
from stockyard.console import views

pytestmark = pytest.mark.django_db

INDEX = '<!doctype html><div id="app"></div><script src="/static/console/assets/app.js"></script>'


@pytest.fixture
def built_console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A console build as Vite leaves it."""
    (tmp_path / "index.html").write_text(INDEX)
    monkeypatch.setattr(views, "BUILD_DIR", tmp_path)
    return tmp_path


@pytest.mark.usefixtures("built_console")
@pytest.mark.parametrize("path", ["/app/", "/app/sales-orders/12", "/app/oauth/callback"])
def test_every_route_under_app_answers_the_console_page(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert response.content.decode() == INDEX
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.usefixtures("built_console")
def test_the_console_client_accepts_each_origin_it_is_served_from() -> None:
    assert not Application.objects.filter(client_id=CONSOLE_CLIENT_ID).exists()
    Client().get("/app/", HTTP_HOST="localhost:8000")
    Client().get("/app/products", HTTP_HOST="127.0.0.1:8150")
    Client().get("/app/", HTTP_HOST="localhost:8000")
    client = Application.objects.get(client_id=CONSOLE_CLIENT_ID)
    assert client.redirect_uris.split() == [
        "http://localhost:8000/app/oauth/callback",
        "http://127.0.0.1:8150/app/oauth/callback",
    ]
    assert client.client_type == Application.CLIENT_PUBLIC
    assert client.skip_authorization


@pytest.mark.usefixtures("built_console")
def test_signing_in_to_the_console_needs_nothing_but_migrate(make_user) -> None:
    """The authorization request the console makes is accepted on a fresh database."""
    make_user(username="clerk")
    browser = Client()
    assert browser.login(username="clerk", password="correct-horse-battery-staple")
    browser.get("/app/")
    response = browser.get(
        "/o/authorize/",
        {
            "response_type": "code",
            "client_id": CONSOLE_CLIENT_ID,
            "redirect_uri": "http://testserver/app/oauth/callback",
            "scope": "read write",
            "state": "s1",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith("http://testserver/app/oauth/callback?code=")


def test_without_a_build_the_page_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "BUILD_DIR", tmp_path)
    response = Client().get("/app/")
    assert response.status_code == 503
    assert b"make run" in response.content


@pytest.mark.usefixtures("built_console")
def test_an_origin_whose_scheme_redirects_refuse_gets_a_page_saying_so(settings) -> None:
    """Production accepts https redirects only: the console served over http (TLS proxy
    not trusted, say) explains itself instead of failing with a 500."""
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    }
    response = Client().get("/app/")
    assert response.status_code == 503
    assert b"http://testserver/" in response.content
    assert b"TRUSTED_PROXIES" in response.content
    assert not Application.objects.filter(client_id=CONSOLE_CLIENT_ID).exists()
    assert Client().get("/app/", secure=True).status_code == 200
