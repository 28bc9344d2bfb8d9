"""The OAuth2 provider at /o/ driven as a front end would: sign in, authorize with PKCE,
exchange the code, call the API with the token; scopes narrow what roles allow."""

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, RefreshToken
from rest_framework.throttling import SimpleRateThrottle

from conftest import PASSWORD
from stockyard.accounts.models import User
from stockyard.accounts.permissions import RolePermission
from stockyard.accounts.roles import Role
from stockyard.accounts.services import oauth2_public_client_register
from stockyard.accounts.tasks import clear_expired_oauth2_tokens
from stockyard.core.testing import assert_problem

pytestmark = pytest.mark.django_db

REDIRECT_URI = "https://app.example/oauth/callback"
FORM = "application/x-www-form-urlencoded"
CATEGORIES = "/api/v1/categories/"
ME = "/api/v1/auth/me/"


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> "Pkce":
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode()).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())


@pytest.fixture
def front_end() -> Application:
    """A public client that, unlike the first-party default, asks the user to approve."""
    client, _ = oauth2_public_client_register(
        name="Vue front end", redirect_uris=[REDIRECT_URI], client_id="vue-front-end"
    )
    client.skip_authorization = False
    client.save(update_fields=["skip_authorization"])
    return client


def post_form(client: Client, path: str, data: dict[str, str]) -> Any:
    return client.post(path, urlencode(data), content_type=FORM)


def authorize_query(app: Application, pkce: Pkce, scope: str, **overrides: str) -> dict[str, str]:
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "xyz-state",
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
    }
    return {**query, **overrides}


def callback_params(response: Any) -> dict[str, str]:
    """The query of a redirect to the front end's callback."""
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def authorization_code(browser: Client, app: Application, pkce: Pkce, scope: str) -> str:
    """A signed-in browser approves ``app`` on the consent page; the code it receives."""
    query = authorize_query(app, pkce, scope)
    consent = browser.get("/o/authorize/", query)
    assert consent.status_code == 200
    params = callback_params(post_form(browser, "/o/authorize/", {**query, "allow": "Authorize"}))
    assert params["state"] == "xyz-state"
    return params["code"]


def exchange(app: Application, code: str, verifier: str) -> Any:
    return post_form(
        Client(),
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": app.client_id,
            "code_verifier": verifier,
        },
    )


def signed_in(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def tokens_for(front_end: Application) -> Callable[..., dict[str, Any]]:
    """Tokens issued through the real flow to ``user`` for ``scope``."""

    def issue(user: User, scope: str = "read write") -> dict[str, Any]:
        pkce = Pkce.new()
        code = authorization_code(signed_in(user), front_end, pkce, scope)
        response = exchange(front_end, code, pkce.verifier)
        assert response.status_code == 200, response.content
        return response.json()

    return issue


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_authorization_code_flow_with_pkce_from_sign_in_to_the_api(front_end, make_user):
    user = make_user(Role.SALES)
    pkce = Pkce.new()
    browser = Client()
    query = authorize_query(front_end, pkce, "read write")

    to_login = browser.get("/o/authorize/", query)
    assert to_login.status_code == 302
    login_path, _, next_query = to_login["Location"].partition("?")
    assert login_path == "/o/login/"
    next_url = parse_qs(next_query)["next"][0]

    assert browser.get("/o/login/", {"next": next_url}).status_code == 200
    signed = post_form(
        browser, "/o/login/", {"username": user.username, "password": PASSWORD, "next": next_url}
    )
    assert signed.status_code == 302
    assert signed["Location"] == next_url

    consent = browser.get(next_url)
    assert consent.status_code == 200
    assert b"Vue front end" in consent.content
    approved = post_form(browser, "/o/authorize/", {**query, "allow": "Authorize"})
    params = callback_params(approved)
    assert params["state"] == "xyz-state"
    assert params["iss"] == "http://testserver"

    issued = exchange(front_end, params["code"], pkce.verifier)
    assert issued.status_code == 200, issued.content
    body = issued.json()
    assert body["token_type"] == "Bearer"
    assert set(body["scope"].split()) == {"read", "write"}
    assert body["expires_in"] == 15 * 60
    assert body["refresh_token"]

    me = bearer(body["access_token"]).get(ME)
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    assert me.json()["roles"] == ["sales"]

    # The code was for one exchange only.
    replayed = exchange(front_end, params["code"], pkce.verifier)
    assert replayed.status_code == 400
    assert replayed.json()["error"] == "invalid_grant"


def test_the_consent_page_can_be_declined(front_end, make_user):
    browser = signed_in(make_user(Role.VIEWER))
    query = authorize_query(front_end, Pkce.new(), "read")
    assert callback_params(post_form(browser, "/o/authorize/", query))["error"] == "access_denied"


def test_a_wrong_code_verifier_is_refused_with_an_oauth2_error(front_end, make_user):
    pkce = Pkce.new()
    code = authorization_code(signed_in(make_user(Role.VIEWER)), front_end, pkce, "read")

    refused = exchange(front_end, code, Pkce.new().verifier)

    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()


def test_pkce_is_required_and_only_s256_is_accepted(front_end, make_user):
    browser = signed_in(make_user(Role.VIEWER))
    pkce = Pkce.new()

    without = authorize_query(front_end, pkce, "read")
    del without["code_challenge"], without["code_challenge_method"]
    missing = callback_params(browser.get("/o/authorize/", without))
    assert missing["error"] == "invalid_request"

    plain = authorize_query(
        front_end, pkce, "read", code_challenge=pkce.verifier, code_challenge_method="plain"
    )
    refused = callback_params(post_form(browser, "/o/authorize/", {**plain, "allow": "Authorize"}))
    assert refused["error"] == "invalid_request"
    assert "S256" in refused["error_description"]


def test_a_read_token_may_get_but_not_post(tokens_for, make_user):
    token = tokens_for(make_user(Role.MANAGER), "read")["access_token"]
    api = bearer(token)

    assert api.get(CATEGORIES).status_code == 200
    refused = api.post(CATEGORIES, {"name": "Scoped out"}, content_type="application/json")

    body = assert_problem(refused, 403, "permission_denied")
    assert "'write' scope" in body["detail"]
    assert not refused.has_header("WWW-Authenticate")


def test_a_write_token_may_post_but_a_read_scope_is_needed_to_get(tokens_for, make_user):
    api = bearer(tokens_for(make_user(Role.MANAGER), "write")["access_token"])

    created = api.post(CATEGORIES, {"name": "Written"}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert "'read' scope" in assert_problem(api.get(CATEGORIES), 403, "permission_denied")["detail"]


def test_a_write_token_does_not_grant_a_role_the_user_lacks(tokens_for, make_user):
    api = bearer(tokens_for(make_user(Role.VIEWER))["access_token"])

    assert api.get(CATEGORIES).status_code == 200
    refused = api.post(CATEGORIES, {"name": "Not mine"}, content_type="application/json")
    body = assert_problem(refused, 403, "permission_denied")
    assert "scope" not in body["detail"]


def test_a_revoked_token_is_401(tokens_for, front_end, make_user):
    token = tokens_for(make_user(Role.VIEWER))["access_token"]
    assert bearer(token).get(ME).status_code == 200

    revoked = post_form(
        Client(), "/o/revoke_token/", {"token": token, "client_id": front_end.client_id}
    )
    assert revoked.status_code == 200

    refused = bearer(token).get(ME)
    assert_problem(refused, 401, "not_authenticated")
    assert refused["WWW-Authenticate"].startswith('Bearer realm="api"')
    assert 'error="invalid_token"' in refused["WWW-Authenticate"]


def test_an_expired_token_is_401(tokens_for, make_user):
    token = tokens_for(make_user(Role.VIEWER))["access_token"]
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))

    body = assert_problem(bearer(token).get(ME), 401, "not_authenticated")
    assert "OAuth2" in body["detail"]


def test_a_deactivated_users_token_is_401(tokens_for, make_user):
    user = make_user(Role.VIEWER)
    token = tokens_for(user)["access_token"]
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert_problem(bearer(token).get(ME), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("token", "judged_as"),
    [
        ("not-a-real-token", "The OAuth2 access token is invalid"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "Given token not valid"),
    ],
    ids=["opaque-by-oauth2", "jwt-shaped-by-simplejwt"],
)
def test_unknown_tokens_of_either_kind_are_a_clean_401_from_their_own_kind(token, judged_as):
    refused = bearer(token).get(ME)
    body = assert_problem(refused, 401, "not_authenticated")
    assert body["detail"].startswith(judged_as)
    assert refused["WWW-Authenticate"].startswith('Bearer realm="api"')


def test_refresh_tokens_rotate_and_a_replayed_one_revokes_the_family(
    tokens_for, front_end, make_user
):
    first = tokens_for(make_user(Role.VIEWER))

    def refresh(refresh_token: str) -> Any:
        return post_form(
            Client(),
            "/o/token/",
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": front_end.client_id,
            },
        )

    rotated = refresh(first["refresh_token"])
    assert rotated.status_code == 200, rotated.content
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert bearer(second["access_token"]).get(ME).status_code == 200
    assert_problem(bearer(first["access_token"]).get(ME), 401, "not_authenticated")

    replayed = refresh(first["refresh_token"])
    assert replayed.status_code == 400
    assert replayed.json()["error"] == "invalid_grant"
    assert_problem(bearer(second["access_token"]).get(ME), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("grant", "extra"),
    [
        ("client_credentials", {}),
        ("password", {"username": "admin", "password": "admin-demo-pass-1"}),
    ],
)
def test_grants_other_than_the_authorization_code_are_refused(grant, extra):
    integration = Application.objects.create(
        name="Integration",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret="integration-secret",
    )
    data = {
        "grant_type": grant,
        "client_id": integration.client_id,
        "client_secret": "integration-secret",
        **extra,
    }

    refused = post_form(Client(), "/o/token/", data)

    assert refused.status_code == 400
    assert refused.json()["error"] == "unsupported_grant_type"


def test_jwt_requests_are_not_limited_by_scopes_nor_looked_up_as_oauth2_tokens(client_for):
    api = client_for(Role.MANAGER)
    with CaptureQueriesContext(connection) as queries:
        assert api.post(CATEGORIES, {"name": "By JWT"}).status_code == 201
        assert api.get(ME).json()["roles"] == ["manager"]
    assert not [query for query in queries if "oauth2_provider" in query["sql"]]


def test_idempotency_keys_are_scoped_to_the_oauth2_tokens_user(tokens_for, make_user):
    api = bearer(tokens_for(make_user(Role.MANAGER))["access_token"])

    def create() -> Any:
        return api.post(
            CATEGORIES,
            {"name": "Once"},
            content_type="application/json",
            headers={"Idempotency-Key": "oauth2-once"},
        )

    first, retry = create(), create()
    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()


def test_the_token_endpoints_answer_cors_preflights_from_the_front_end(settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:5173"]
    for path in ("/o/token/", "/o/revoke_token/"):
        preflight = Client().options(
            path,
            headers={
                "Origin": "http://localhost:5173",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight["Access-Control-Allow-Origin"] == "http://localhost:5173"
    stranger = Client().options(
        "/o/token/",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert not stranger.has_header("Access-Control-Allow-Origin")


def _api_views(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    views = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            views += _api_views(entry.url_patterns, route)
        elif route.startswith("api/v1/") and hasattr(entry.callback, "cls"):
            views.append((route, entry.callback.cls))
    return views


def test_every_authenticated_api_view_checks_roles_and_oauth2_scopes():
    """Scopes are enforced by RolePermission: a view that authenticates must use it."""
    views = _api_views(get_resolver().url_patterns)
    assert len(views) > 20
    unchecked = [
        route
        for route, view in views
        if view.authentication_classes and RolePermission not in view.permission_classes
    ]
    assert unchecked == []


def test_register_frontend_client_is_idempotent_by_client_id():
    out = StringIO()
    call_command(
        "register_frontend_client",
        "--client-id=web",
        "--redirect-uri=https://app.example/cb",
        stdout=out,
    )
    call_command(
        "register_frontend_client",
        "--client-id=web",
        "--name=Web",
        "--redirect-uri=https://app.example/cb",
        "--redirect-uri=http://localhost:5173/cb",
        stdout=out,
    )

    client = Application.objects.get()
    assert (client.client_id, client.name, client.client_type) == ("web", "Web", "public")
    assert client.redirect_uris == "https://app.example/cb http://localhost:5173/cb"
    assert client.authorization_grant_type == "authorization-code"
    assert out.getvalue().splitlines() == [
        "Registered public client 'Stockyard front end'.",
        "client_id: web",
        "Updated public client 'Web'.",
        "client_id: web",
    ]


def test_register_frontend_client_refuses_a_bad_redirect_uri():
    with pytest.raises(CommandError, match="redirect_uris"):
        call_command("register_frontend_client", "--redirect-uri=ftp://app.example/cb")
    assert not Application.objects.exists()


def test_expired_tokens_are_cleared_daily(tokens_for, make_user, settings):
    kept = tokens_for(make_user(Role.VIEWER))["access_token"]
    tokens_for(make_user(Role.VIEWER))
    stale = AccessToken.objects.order_by("id").last()
    stale.expires = timezone.now() - timedelta(days=1)
    stale.save(update_fields=["expires"])
    RefreshToken.objects.filter(access_token=stale).update(
        revoked=timezone.now() - timedelta(days=8)
    )

    assert "stockyard.accounts.tasks.clear_expired_oauth2_tokens" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    clear_expired_oauth2_tokens.delay()

    assert not AccessToken.objects.filter(pk=stale.pk).exists()
    assert bearer(kept).get(ME).status_code == 200


def test_sign_in_attempts_share_the_token_endpoints_budget(make_user, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    user = make_user(Role.VIEWER)
    browser = Client()

    def sign_in(password: str) -> Any:
        return post_form(browser, "/o/login/", {"username": user.username, "password": password})

    assert [sign_in("wrong").status_code for _ in range(2)] == [200, 200]
    assert (
        browser.post(
            "/api/v1/auth/token/",
            {"username": user.username, "password": "wrong"},
            content_type="application/json",
        ).status_code
        == 401
    )
    throttled = sign_in(PASSWORD)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert b"Too many sign-in attempts" in throttled.content
    assert "_auth_user_id" not in browser.session


def test_an_admin_registers_a_confidential_client_in_the_admin_and_it_works(make_user):
    admin = signed_in(make_user(Role.ADMIN))
    add = admin.get("/admin/oauth2_provider/application/add/")
    assert add.status_code == 200
    form = add.context["adminform"].form
    fields = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    secret = fields["client_secret"]
    saved = admin.post(
        "/admin/oauth2_provider/application/add/",
        {
            **fields,
            "name": "ERP integration",
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": REDIRECT_URI,
            "algorithm": "",
        },
    )
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    integration = Application.objects.get(name="ERP integration")

    pkce = Pkce.new()
    service_user = make_user(Role.PURCHASING)
    code = authorization_code(signed_in(service_user), integration, pkce, "read write")
    exchange_data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": integration.client_id,
        "code_verifier": pkce.verifier,
    }
    assert post_form(Client(), "/o/token/", exchange_data).json()["error"] == "invalid_client"
    issued = post_form(Client(), "/o/token/", {**exchange_data, "client_secret": secret})
    assert issued.status_code == 200, issued.content
    assert bearer(issued.json()["access_token"]).get(ME).json()["roles"] == ["purchasing"]


def test_only_the_admin_role_reaches_oauth2_applications_in_the_admin(make_user):
    manager = signed_in(make_user(Role.MANAGER))
    refused = manager.get("/admin/oauth2_provider/application/")
    assert refused.status_code == 302
    assert refused["Location"].startswith("/admin/login/")
