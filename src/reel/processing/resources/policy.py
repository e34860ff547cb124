"""Which resource URLs and addresses the server may fetch from (pure; brief §3.4 and §8 SSRF).

A URL must be http(s), without credentials, on one of the application's resource origins. Every address
its host resolves to must be public, or private/loopback when the application allows it; link-local,
cloud metadata, unspecified, multicast and reserved addresses are refused always. Addresses that embed
an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo) are judged by the address they embed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from reel.domain.origins import normalise_origin

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services, refused even where private addresses are allowed (most are link-local too).
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "168.63.129.16")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_BROADCAST = ipaddress.ip_address("255.255.255.255")


class Refused(Exception):
    """A fetch the policy does not allow, or that broke a cap; `reason` says which, for the log."""

    def __init__(self, reason: str, *, transient: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        """True when trying again later may succeed (a 5xx, a connection reset): not a policy refusal."""


@dataclass(frozen=True)
class FetchPolicy:
    """Where one application's resources may come from."""

    origins: frozenset[str]
    """Normalised `scheme://host[:port]` origins."""
    allow_private: bool = False

    @staticmethod
    def of(origins: tuple[str, ...] | list[str], allow_private: bool = False) -> FetchPolicy:
        """A policy from origins as written (unparsable ones are dropped)."""
        normalised = {normalise_origin(o) for o in origins}
        return FetchPolicy(frozenset(o for o in normalised if o is not None), allow_private)


@dataclass(frozen=True)
class Target:
    """A checked URL, split into what a connection needs."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    """Path and query, as sent in the request line."""


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64 or ip in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def address_refusal(address: str, allow_private: bool) -> str | None:
    """Why connecting to `address` is not allowed, or None if it is."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    inner = embedded_ipv4(ip)
    if inner is not None:
        why = address_refusal(str(inner), allow_private)
        return None if why is None else f"{ip} embeds {inner}: {why}"
    if ip in METADATA:
        return f"{ip} is a cloud metadata address"
    if ip.is_link_local:
        return f"{ip} is link-local"
    if ip.is_unspecified or ip.is_multicast or ip == _BROADCAST:
        return f"{ip} is not a unicast address"
    if ip.is_loopback:  # before is_reserved: ::1 lies in the reserved ::/8
        return None if allow_private else f"{ip} is a loopback address"
    if ip.is_reserved:
        return f"{ip} is a reserved address"
    if ip.is_global and ip not in _CGNAT:
        return None
    return None if allow_private else f"{ip} is a private address"


def check_url(url: str, policy: FetchPolicy) -> Target:
    """The URL split for a connection; raises Refused unless the policy allows fetching it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(f"malformed URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused(f"scheme {scheme or '(none)'!r} is not http(s)")
    if parts.username is not None or parts.password is not None:
        raise Refused("URLs with credentials are not fetched")
    host = parts.hostname
    if not host:
        raise Refused("URL without a host")
    origin = normalise_origin(f"{scheme}://{parts.netloc}")
    if origin is None or origin not in policy.origins:
        raise Refused(f"origin {origin or parts.netloc!r} is not an allowed resource origin")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in path):
        raise Refused("URL path with spaces or control characters")
    return Target(url, scheme, host, port or (443 if scheme == "https" else 80), path)
