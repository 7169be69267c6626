"""Who is calling, by network address: the peer, or the client a trusted proxy names.

``X-Forwarded-For`` and ``Forwarded`` (RFC 7239) are written by whoever sends the request,
so they are believed only when the peer is one of the configured proxies
(``auth.trusted_proxies``, none by default). The forwarded list is read from the right
(the hop nearest to the gateway) and every trusted proxy on it is skipped: the first
address that is not a trusted proxy is the client. Anything a client writes to the left of
it is never looked at, so rotating made-up addresses changes nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TrustedProxies:
    """The proxies whose forwarded headers name the client."""

    def __init__(self, networks: Iterable[IPNetwork] = ()):
        self._networks = tuple(networks)

    def __bool__(self) -> bool:
        return bool(self._networks)

    def trusts(self, address: IPAddress) -> bool:
        return any(address.version == n.version and address in n for n in self._networks)

    def client(self, peer: str | None, headers: Sequence[tuple[bytes, bytes]]) -> str | None:
        """The caller's address: ``peer`` unless it is a trusted proxy."""
        current = _address(peer)
        if current is None or not self._networks or not self.trusts(current):
            return peer
        for hop in reversed(_forwarded_hops(headers)):
            address = _address(hop)
            if address is None:
                break  # "unknown", an obfuscated name, garbage: the last proxy is all we know
            current = address
            if not self.trusts(address):
                break
        return str(current)


def _address(value: str | None) -> IPAddress | None:
    if value is None:
        return None
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _forwarded_hops(headers: Sequence[tuple[bytes, bytes]]) -> list[str]:
    """The ``for`` addresses of ``Forwarded`` if the request has one, else of
    ``X-Forwarded-For``, oldest first."""
    forwarded = _values(headers, b"forwarded")
    if forwarded:
        return [_strip_port(hop) for hop in _forwarded_for(forwarded)]
    return [
        _strip_port(hop.strip())
        for value in _values(headers, b"x-forwarded-for")
        for hop in value.split(",")
    ]


def _values(headers: Sequence[tuple[bytes, bytes]], name: bytes) -> list[str]:
    return [bytes(v).decode("latin-1") for k, v in headers if bytes(k).lower() == name]


def _forwarded_for(values: list[str]) -> list[str]:
    hops: list[str] = []
    for value in values:
        for element in value.split(","):
            found = "unknown"  # an element without for= is a hop we know nothing about
            for pair in element.split(";"):
                name, _, raw = pair.strip().partition("=")
                if name.strip().lower() == "for":
                    found = raw.strip().strip('"')
            hops.append(found)
    return hops


def _strip_port(hop: str) -> str:
    """``[2001:db8::1]:4711`` → ``2001:db8::1``; ``192.0.2.1:80`` → ``192.0.2.1``."""
    if hop.startswith("["):
        return hop[1:].partition("]")[0]
    if hop.count(":") == 1:
        return hop.partition(":")[0]
    return hop
