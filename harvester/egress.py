"""The egress guard: which addresses a harvest request may connect to.

Only `http` and `https` URLs pass. A host name is resolved with an injectable
resolver, and every address it resolves to must be global (public) after
unwrapping the IPv6 forms that embed an IPv4 address (IPv4-mapped, 6to4,
NAT64, Teredo), unless an allowlist entry covers it. The check runs twice:
once before a request or redirect hop, so a blocked URL fails fast with zero
connections, and again inside the network backend at connect time, where the
socket is opened to the checked address itself and never to a second
resolution. A DNS answer that changes between the two checks (rebinding)
therefore cannot reach a blocked address.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from httpcore import ConnectError, ConnectTimeout, NetworkStream
from httpcore._backends.sync import SyncBackend, SyncStream

from harvester.errors import BlockedAddressError, FetchError

__all__ = [
    "ALLOWED_SCHEMES",
    "AllowlistEntry",
    "EgressGuard",
    "GuardedBackend",
    "Resolver",
    "default_resolver",
    "embedded_ipv4",
    "is_public_address",
    "parse_allowlist",
]

logger = logging.getLogger(__name__)

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = frozenset({"http", "https"})

_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def default_resolver(host: str, port: int) -> list[str]:
    """Resolve `host` with the system resolver and return its addresses in order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for _family, _type, _proto, _canonical, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv6 address embeds (mapped, 6to4, NAT64, Teredo), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(address: IPAddress) -> bool:
    """Return True when `address`, and any IPv4 address it embeds, is globally routable."""
    if address in _NAT64_LOCAL_USE:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address in _IPV4_COMPATIBLE:
        return False
    if not address.is_global or address.is_multicast:
        return False
    inner = embedded_ipv4(address)
    if inner is not None:
        return inner.is_global and not inner.is_multicast
    return True


@dataclass(frozen=True, slots=True)
class AllowlistEntry:
    """One allowlist entry: a network (any port) or a host with one port.

    `host` is an IP literal or a host name as written in URLs; a host-name
    entry allows whatever that name resolves to, so use it only for names the
    operator controls.
    """

    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    host: str | None = None
    port: int | None = None

    def allows(self, host: str, address: IPAddress, port: int) -> bool:
        """Return True when this entry covers a connection to `address:port` for `host`."""
        if self.network is not None:
            return address.version == self.network.version and address in self.network
        if self.port != port:
            return False
        return self.host in (host.lower(), str(address))


def parse_allowlist(entries: Iterable[str]) -> tuple[AllowlistEntry, ...]:
    """Parse allowlist strings: `10.0.0.0/8`, `127.0.0.1/32`, `127.0.0.1:8080`, `[::1]:8080`."""
    parsed: list[AllowlistEntry] = []
    for entry in entries:
        parsed.append(_parse_allowlist_entry(entry.strip()))
    return tuple(parsed)


def _parse_allowlist_entry(entry: str) -> AllowlistEntry:
    if "/" in entry:
        return AllowlistEntry(network=ipaddress.ip_network(entry, strict=False))

    try:
        address = ipaddress.ip_address(entry.strip("[]"))
    except ValueError:
        pass
    else:
        return AllowlistEntry(network=ipaddress.ip_network(address))

    host, separator, port = entry.rpartition(":")
    if not separator or not port.isdigit() or not host:
        raise ValueError(f"invalid egress allowlist entry {entry!r}: use a network such as "
                         "127.0.0.1/32 or a host:port pair such as 127.0.0.1:8080")
    return AllowlistEntry(host=host.strip("[]").lower(), port=int(port))


class EgressGuard:
    """Checks URLs and resolved addresses against the egress policy."""

    def __init__(self, allowlist: Sequence[str] = (), resolver: Resolver | None = None) -> None:
        self.allowlist = parse_allowlist(allowlist)
        self.resolver: Resolver = resolver or default_resolver

    def check_url(self, url: str, *, code: str = "blocked-address") -> None:
        """Check the scheme of `url` and every address its host resolves to.

        `code` is the error code used for a blocked address, so a redirect
        hop reports `redirect-blocked`.
        """
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            raise BlockedAddressError(
                f"URL scheme {scheme or '(none)'!r} is not allowed, only http and https: {url}",
                url=url, code="scheme-not-allowed" if code == "blocked-address" else code,
            )
        if not parts.hostname:
            raise BlockedAddressError(f"URL has no host: {url}", url=url, code=code)

        port = parts.port or (443 if scheme == "https" else 80)
        self.resolve_checked(parts.hostname, port, url=url, code=code)

    def resolve_checked(self, host: str, port: int, *, url: str | None = None,
                        code: str = "blocked-address") -> list[str]:
        """Resolve `host` once and return its addresses, raising if any address is blocked."""
        try:
            addresses = self._resolve(host, port)
        except OSError as error:
            raise FetchError(f"cannot resolve host {host}: {error}", url=url, code="dns-failed") from error
        if not addresses:
            raise FetchError(f"host {host} resolved to no address", url=url, code="dns-failed")

        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            if not self._is_allowed(host, address, port):
                raise BlockedAddressError(
                    f"host {host} resolves to {address}, which is not a public address "
                    "and is not in the egress allowlist",
                    url=url or f"{host}:{port}", code=code,
                )
        return addresses

    def _resolve(self, host: str, port: int) -> list[str]:
        literal = host.strip("[]")
        try:
            ipaddress.ip_address(literal)
        except ValueError:
            return list(self.resolver(host, port))
        return [literal]

    def _is_allowed(self, host: str, address: IPAddress, port: int) -> bool:
        if any(entry.allows(host, address, port) for entry in self.allowlist):
            return True
        return is_public_address(address)


class _DeadlineStream(NetworkStream):
    """A network stream whose reads and writes never wait past the request deadline."""

    def __init__(self, stream: NetworkStream, clock: DeadlineClock) -> None:
        self._stream = stream
        self._clock = clock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._clock.clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._clock.clamp(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> NetworkStream:
        upgraded = self._stream.start_tls(ssl_context, server_hostname, self._clock.clamp(timeout))
        return _DeadlineStream(upgraded, self._clock)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineClock:
    """The total deadline of the request running on the current thread.

    The HTTP client sets it around each request; the network streams clamp
    every socket timeout to the time left, so a trickling response ends at
    the deadline even though each chunk arrives within the read timeout.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def set(self, deadline: float | None) -> None:
        self._local.deadline = deadline

    def remaining(self) -> float | None:
        deadline = getattr(self._local, "deadline", None)
        if deadline is None:
            return None
        return deadline - time.monotonic()

    def clamp(self, timeout: float | None) -> float | None:
        remaining = self.remaining()
        if remaining is None:
            return timeout
        remaining = max(remaining, 0.001)
        return remaining if timeout is None else min(timeout, remaining)


class GuardedBackend(SyncBackend):
    """An httpcore network backend that connects only to addresses the guard approved.

    httpcore hands it the origin host name; TLS then uses that name for SNI
    and certificate checks, and the Host header is untouched, while the socket
    goes to the checked IP address.
    """

    def __init__(self, guard: EgressGuard, clock: DeadlineClock) -> None:
        self.guard = guard
        self.clock = clock

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None) -> NetworkStream:
        addresses = self.guard.resolve_checked(host, port)
        timeout = self.clock.clamp(timeout)
        last_error: OSError | None = None

        for address in addresses:
            try:
                sock = socket.create_connection((address, port), timeout)
            except TimeoutError as error:
                raise ConnectTimeout(f"connect to {host} ({address}) timed out") from error
            except OSError as error:
                last_error = error
                continue
            for option in socket_options or ():
                sock.setsockopt(*option)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return _DeadlineStream(SyncStream(sock), self.clock)

        raise ConnectError(f"connect to {host} failed: {last_error}")
