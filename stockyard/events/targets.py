"""Where a webhook may POST: public addresses only (unless settings allow private ones).

A target is checked when the webhook is saved and again at each delivery, and the
delivery connects to the very address that was checked: a host name that resolved to a
public address when saved and to ``127.0.0.1`` later (DNS rebinding) is refused, not
called.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from stockyard.core.errors import ValidationFailed

_SCHEMES = {"http": 80, "https": 443}
_MAX_RESPONSE_BYTES = 64 * 1024  # read, then ignored


class UnsafeTarget(ValidationFailed):
    """The URL is malformed, does not resolve, or reaches a non-public address."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, errors={"url": [reason]})


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query string
    address: str  # the checked IP address to connect to


def target_resolve(url: str) -> Target:
    """Parse ``url`` and resolve its host to an address a webhook may reach."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise UnsafeTarget("Enter an http:// or https:// URL with a host.")
    if parts.username or parts.password:
        raise UnsafeTarget("Credentials in the URL are not allowed; authenticate with the secret.")
    try:
        port = parts.port or _SCHEMES[parts.scheme]
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (ValueError, OSError) as exc:
        raise UnsafeTarget(f"The host {parts.hostname!r} cannot be resolved.") from exc
    addresses = [str(sockaddr[0]) for *_, sockaddr in found]
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS and not all(map(_is_public, addresses)):
        raise UnsafeTarget(
            f"The host {parts.hostname!r} resolves to a loopback, private, link-local or "
            "reserved address; webhooks may only reach public addresses."
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


# IPv6 prefixes that carry an IPv4 address in their last 32 bits: NAT64 (RFC 6052, and
# RFC 8215's local-use prefix) and IPv4-compatible addresses (``::a.b.c.d``, RFC 4291).
_IPV4_IN_LOW_BITS = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("::/96"),
)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to, if it embeds one: IPv4-mapped
    (``::ffff:a.b.c.d``), 6to4 (``2002::/16``, RFC 3056), Teredo (RFC 4380), NAT64 and
    IPv4-compatible."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in network for network in _IPV4_IN_LOW_BITS):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(ip)):
        candidates.append(embedded)
    return all(each.is_global and not each.is_multicast for each in candidates)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to ``target.host`` (Host header), connected to the checked address."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to ``target.host`` (Host header, SNI and certificate), connected to the
    checked address."""

    def __init__(self, target: Target, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def target_post(target: Target, *, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST ``body`` to the checked address; the response status. Redirects are not
    followed (a redirect could lead anywhere).

    ``timeout`` bounds the whole attempt, not each socket operation: a receiver that
    trickles its answer a byte at a time is cut off when the time is up, so one slow
    receiver cannot hold a worker. Raises ``OSError`` (``TimeoutError`` past the deadline)
    or ``http.client.HTTPException`` when no complete answer came in time.
    """
    deadline = time.monotonic() + timeout
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target, timeout)
    expired = threading.Event()
    try:
        connection.connect()
        cutoff = threading.Timer(
            max(0.0, deadline - time.monotonic()), _cut_off, (connection, expired)
        )
        cutoff.daemon = True
        cutoff.start()
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(_MAX_RESPONSE_BYTES)
        except (OSError, http.client.HTTPException):
            if expired.is_set():
                raise _deadline_passed(timeout) from None
            raise
        finally:
            cutoff.cancel()
        if expired.is_set():  # the answer was cut short: it does not count
            raise _deadline_passed(timeout)
        return response.status
    finally:
        connection.close()


def _cut_off(connection: http.client.HTTPConnection, expired: threading.Event) -> None:
    expired.set()
    if connection.sock is not None:
        with contextlib.suppress(OSError):
            connection.sock.shutdown(socket.SHUT_RDWR)


def _deadline_passed(timeout: float) -> TimeoutError:
    return TimeoutError(f"no complete answer within {timeout:g} s")
