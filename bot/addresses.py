"""Which network addresses postbode may fetch a post's image from (pure).

An image URL comes from a file anyone with commit rights can write, so it may
point at the worker's own machine, the local network or the cloud's metadata
service. Only public addresses are fetched, unless the operator names a host
or a network in IMAGE_HOSTS_ALLOW (an intranet image server, a test).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Allowed:
    """One IMAGE_HOSTS_ALLOW entry: a host (with or without a port) or a network."""

    host: str | None = None
    port: int | None = None
    network: Network | None = None

    def __str__(self) -> str:
        if self.network is not None:
            return str(self.network)
        return f"{self.host}:{self.port}" if self.port else str(self.host)

    def admits(self, host: str, port: int, address: Address) -> bool:
        if self.network is not None:
            return _plain(address) in self.network
        return host.lower().rstrip(".") == self.host and self.port in (None, port)


def parse_allowed(text: str) -> tuple[Allowed, ...]:
    """IMAGE_HOSTS_ALLOW: comma-separated `host`, `host:port`, `[v6]:port` or CIDR.
    ValueError names the entry that is not one of those."""
    entries = []
    for raw in (part.strip() for part in text.split(",")):
        if not raw:
            continue
        try:
            entries.append(_entry(raw))
        except ValueError:
            raise ValueError(
                f"{raw!r} is not a host, host:port or network (like 10.0.0.0/8)"
            ) from None
    return tuple(entries)


def _entry(raw: str) -> Allowed:
    if "/" in raw:
        return Allowed(network=ipaddress.ip_network(raw, strict=False))
    host, port = raw, None
    if raw.startswith("["):  # [v6] or [v6]:port
        host, _, rest = raw[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") else None
        ipaddress.IPv6Address(host)
    elif raw.count(":") == 1:
        host, _, number = raw.partition(":")
        port = int(number)
    elif ":" in raw:  # a bare IPv6 address
        ipaddress.IPv6Address(raw)
    if not host or (port is not None and not 0 < port < 65536) or " " in host:
        raise ValueError(raw)
    return Allowed(host=host.lower().rstrip("."), port=port)


def is_public(address: Address) -> bool:
    """Reachable on the internet at large: not loopback, private, link-local, shared,
    reserved or multicast (the cloud metadata address 169.254.169.254 is link-local)."""
    plain = _plain(address)
    return plain.is_global and not plain.is_multicast


def may_fetch(host: str, port: int, address: Address, allowed: tuple[Allowed, ...]) -> bool:
    return is_public(address) or any(entry.admits(host, port, address) for entry in allowed)


def _plain(address: Address) -> Address:
    """An IPv4 address written as IPv6 (::ffff:127.0.0.1) is that IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
