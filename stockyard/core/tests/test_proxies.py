"""Client address and scheme: forwarded headers count only from TRUSTED_PROXIES."""

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from stockyard.core.proxies import TrustedProxyMiddleware, forwarded_client

PROXY = "10.0.0.7"


def settle(**meta: str) -> HttpRequest:
    request = HttpRequest()
    request.META.update({"REMOTE_ADDR": "198.51.100.9", **meta})
    TrustedProxyMiddleware(lambda request: HttpResponse())(request)
    return request


def test_forwarded_headers_from_an_untrusted_peer_are_dropped():
    request = settle(HTTP_X_FORWARDED_FOR="203.0.113.5", HTTP_X_FORWARDED_PROTO="https")
    assert request.META["REMOTE_ADDR"] == "198.51.100.9"
    assert "HTTP_X_FORWARDED_FOR" not in request.META
    assert not request.is_secure()


@override_settings(
    TRUSTED_PROXIES=["10.0.0.0/8"], SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_a_trusted_proxy_names_the_client_and_the_scheme():
    request = settle(
        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5", HTTP_X_FORWARDED_PROTO="https"
    )
    assert request.META["REMOTE_ADDR"] == "203.0.113.5"
    assert request.is_secure()


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_the_rightmost_untrusted_hop_is_the_client():
    # The client wrote "1.2.3.4" itself; the proxy appended the address it really saw.
    assert forwarded_client(PROXY, "1.2.3.4, 203.0.113.5") == "203.0.113.5"
    assert forwarded_client(PROXY, "203.0.113.5, 10.0.0.3") == "203.0.113.5"
    assert forwarded_client(PROXY, "10.0.0.1, 10.0.0.3") == "10.0.0.1"
    assert forwarded_client(PROXY, "not-an-address") == PROXY
    assert forwarded_client(PROXY, "") == PROXY
    assert forwarded_client("198.51.100.9", "203.0.113.5") == "198.51.100.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_an_ipv6_client_behind_a_proxy():
    assert forwarded_client(PROXY, "2001:db8::1") == "2001:db8::1"


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_gets_no_fresh_login_budget(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    client = APIClient()
    statuses = [
        client.post(
            "/api/v1/auth/token/",
            {"username": "victim", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        ).status_code
        for attempt in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["127.0.0.0/8"])
def test_clients_behind_a_trusted_proxy_have_their_own_budgets(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth": "2/minute"})
    client = APIClient()

    def attempt(address: str) -> int:
        return client.post(
            "/api/v1/auth/token/",
            {"username": "someone", "password": "guess"},
            HTTP_X_FORWARDED_FOR=address,
        ).status_code

    assert [attempt("203.0.113.1") for _ in range(3)] == [401, 401, 429]
    assert attempt("203.0.113.2") == 401


@pytest.mark.django_db
@override_settings(
    SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_forwarded_proto_from_anyone_does_not_pass_for_https(client):
    response = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    # /healthz is not exempt here (the exemption is production's): plain HTTP is redirected.
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
