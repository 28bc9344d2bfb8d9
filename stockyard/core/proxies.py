"""The client's address and scheme: from forwarded headers only when a trusted proxy sent them.

``TRUSTED_PROXIES`` lists the networks (CIDRs) of the reverse proxies and load balancers
in front of Stockyard; it is empty by default, and then ``X-Forwarded-For`` and
``X-Forwarded-Proto`` are ignored whoever sends them. ``TrustedProxyMiddleware`` runs
first and settles both once per request, so everything after it (throttles, login limits,
request logs, ``request.is_secure()``) reads the same answer from ``REMOTE_ADDR`` and
``HTTP_X_FORWARDED_PROTO``:

- the peer is not a trusted proxy: both headers are dropped, the peer is the client;
- the peer is trusted: ``X-Forwarded-For`` is read from the right, skipping trusted hops,
  and the first untrusted address is the client (a client cannot prepend its way past the
  proxy, which appends the address it saw); ``X-Forwarded-Proto`` is kept.
"""

import ipaddress
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

from stockyard.core.middleware import SyncAndAsyncMiddleware

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
FORWARDED_PROTO = "HTTP_X_FORWARDED_PROTO"
UNKNOWN_ADDRESS = "0.0.0.0"


@cache
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES holds an invalid network: {exc}") from exc


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def is_trusted_proxy(address: str, networks: Iterable[Network] | None = None) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in (trusted_networks() if networks is None else networks))


def forwarded_client(peer: str, forwarded_for: str) -> str:
    """The client address for a request from ``peer`` carrying ``forwarded_for``.

    ``forwarded_for`` is an ``X-Forwarded-For`` value (``client, proxy1, proxy2``). Only a
    trusted peer's header counts; the rightmost address that is not a trusted proxy wins.
    """
    networks = trusted_networks()
    if not networks or not is_trusted_proxy(peer, networks):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted_proxy(hop, networks):
            return _valid_address(hop) or peer
    return (_valid_address(hops[0]) if hops else None) or peer  # every hop is a proxy


def _valid_address(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate.strip("[]")))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address of whoever sent ``request`` (settled by ``TrustedProxyMiddleware``)."""
    return str(request.META.get("REMOTE_ADDR") or UNKNOWN_ADDRESS)


class TrustedProxyMiddleware(SyncAndAsyncMiddleware):
    """Settle the client address and scheme before any other middleware reads them."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        _settle(request)
        return self.get_response(request)

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        _settle(request)
        return await self.get_response(request)


def _settle(request: HttpRequest) -> None:
    meta = request.META
    peer = str(meta.get("REMOTE_ADDR") or UNKNOWN_ADDRESS)
    forwarded_for = meta.pop(FORWARDED_FOR, "")
    if is_trusted_proxy(peer):
        meta["REMOTE_ADDR"] = forwarded_client(peer, forwarded_for)
    else:
        meta.pop(FORWARDED_PROTO, None)
