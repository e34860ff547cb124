"""SSRF: the resource fetcher refuses what a recording must not make the server fetch (brief §3.4, §8).

Nothing here sends traffic beyond 127.0.0.1. Private, link-local and metadata addresses are given by a
fake resolver, and the connector refuses to connect anywhere but to the loopback test server: a refusal
must come before any connection. A "public" address is routed to the loopback server by the connector.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from asset_server import AssetServer, Route, asset_server
from reel.processing.resources.fetch import FetchLimits, SafeFetcher, tcp_connector
from reel.processing.resources.policy import FetchPolicy, Refused, address_refusal

PUBLIC = "93.184.216.34"  # what the fake resolver says assets.test is; the connector routes it to loopback
CSS = b"body { color: rebeccapurple }"


class FakeNet:
    """A resolver and a connector: names map to addresses; only PUBLIC (routed to loopback) connects."""

    def __init__(self, server: AssetServer, names: dict[str, list[str]]) -> None:
        self.server = server
        self.names = names
        self.connects: list[tuple[str, int]] = []

    def resolve(self, host: str, port: int) -> list[str]:
        if host in self.names:
            return self.names[host]
        return [host]  # an IP literal

    def connect(self, address: str, port: int, timeout: float) -> socket.socket:
        self.connects.append((address, port))
        if address == PUBLIC or address == "127.0.0.1":
            return tcp_connector("127.0.0.1", self.server.port, timeout)
        raise AssertionError(f"the fetcher tried to connect to {address}:{port}")


@pytest.fixture(scope="module")
def running() -> Iterator[AssetServer]:
    routes = {
        "/style.css": Route(body=CSS),
        "/page.html": Route(content_type="text/html", body=b"<script>alert(1)</script>"),
        "/big.css": Route(body=b"x" * 5000, declared_length=-1),
        "/declared-big.css": Route(body=b"x", declared_length=50_000_000),
        "/slow.css": Route(body=b"a" * 200, trickle_s=0.05),
        "/to-private": Route(status=302, headers={"Location": "http://internal.test/secret"}),
        "/to-ten": Route(status=302, headers={"Location": "http://10.0.0.5/secret"}),
        "/to-metadata": Route(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
        "/to-other-origin": Route(status=302, headers={"Location": "http://evil.test/x.css"}),
        "/to-file": Route(status=302, headers={"Location": "file:///etc/passwd"}),
        "/to-style": Route(status=301, headers={"Location": "/style.css"}),
        "/loop": Route(status=302, headers={"Location": "/loop"}),
        "/secret": Route(body=b"secret"),
    }
    with asset_server(routes) as s:
        yield s


@pytest.fixture
def server(running: AssetServer) -> AssetServer:
    """The module's server with its hit counters at zero."""
    running.hits.clear()
    return running


def fetcher(net: FakeNet, **limits: float) -> SafeFetcher:
    return SafeFetcher(resolver=net.resolve, connector=net.connect, limits=FetchLimits(**limits))  # type: ignore[arg-type]


def public_policy(server: AssetServer, *extra: str) -> FetchPolicy:
    return FetchPolicy.of([f"http://assets.test:{server.port}", *extra])


def test_an_allowed_public_origin_is_fetched(server: AssetServer) -> None:
    net = FakeNet(server, {"assets.test": [PUBLIC]})
    got = fetcher(net).fetch(f"http://assets.test:{server.port}/style.css", public_policy(server))
    assert got.body == CSS and got.content_type == "text/css"
    assert server.hits["/style.css"] == 1
    assert net.connects == [(PUBLIC, server.port)]  # connected to the checked address


def test_loopback_is_refused_unless_the_application_allows_private_addresses(server: AssetServer) -> None:
    url = f"{server.url}/style.css"
    policy = FetchPolicy.of([server.url])
    with pytest.raises(Refused, match="loopback"):
        SafeFetcher().fetch(url, policy)
    assert server.total_hits() == 0
    got = SafeFetcher().fetch(url, FetchPolicy.of([server.url], allow_private=True))
    assert got.body == CSS and server.hits["/style.css"] == 1


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.0.10",
        "fc00::1",
        "fd12:3456::1",
        "100.64.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_private_and_loopback_addresses_are_refused_before_connecting(
    server: AssetServer, address: str
) -> None:
    net = FakeNet(server, {"assets.test": [address]})
    with pytest.raises(Refused, match="refused address"):
        fetcher(net).fetch(f"http://assets.test:{server.port}/style.css", public_policy(server))
    assert net.connects == [] and server.total_hits() == 0


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",
        "169.254.1.1",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "0.0.0.0",
        "::",
        "224.0.0.1",
        "255.255.255.255",
        "240.0.0.1",
    ],
)
def test_metadata_link_local_and_odd_addresses_are_refused_even_when_private_is_allowed(
    server: AssetServer, address: str
) -> None:
    net = FakeNet(server, {"assets.test": [address]})
    policy = FetchPolicy.of([f"http://assets.test:{server.port}"], allow_private=True)
    with pytest.raises(Refused, match="refused address"):
        fetcher(net).fetch(f"http://assets.test:{server.port}/style.css", policy)
    assert net.connects == [] and server.total_hits() == 0


def test_every_resolved_address_is_checked(server: AssetServer) -> None:
    # A name resolving to a public and a private address: connecting to "the first" is not good enough.
    net = FakeNet(server, {"assets.test": [PUBLIC, "127.0.0.1"]})
    with pytest.raises(Refused, match=r"127\.0\.0\.1 is a loopback"):
        fetcher(net).fetch(f"http://assets.test:{server.port}/style.css", public_policy(server))
    assert net.connects == [] and server.total_hits() == 0


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://assets.test:70/_x",
        "ftp://assets.test/x.css",
        "data:text/css,x",
        "javascript:alert(1)",
        "http://user:pw@assets.test/x.css",
        "//assets.test/x.css",
    ],
)
def test_other_schemes_and_credentials_are_refused(server: AssetServer, url: str) -> None:
    net = FakeNet(server, {"assets.test": [PUBLIC]})
    policy = FetchPolicy.of(["http://assets.test", f"http://assets.test:{server.port}"])
    with pytest.raises(Refused):
        fetcher(net).fetch(url, policy)
    assert net.connects == [] and server.total_hits() == 0


def test_origins_outside_the_applications_resource_origins_are_refused(server: AssetServer) -> None:
    net = FakeNet(server, {"assets.test": [PUBLIC], "other.test": [PUBLIC]})
    with pytest.raises(Refused, match="not an allowed resource origin"):
        fetcher(net).fetch(f"http://other.test:{server.port}/style.css", public_policy(server))
    assert net.connects == [] and server.total_hits() == 0


@pytest.mark.parametrize(
    ("path", "also_allowed", "reason"),
    [
        # internal.test is an allowed origin, but it resolves to 10.0.0.5: the address check refuses it.
        ("/to-private", "http://internal.test", "refused address"),
        ("/to-ten", "", "not an allowed resource origin"),
        ("/to-metadata", "", "not an allowed resource origin"),
        ("/to-other-origin", "", "not an allowed resource origin"),
        ("/to-file", "", "not http"),
    ],
)
def test_every_redirect_is_checked_again(
    server: AssetServer, path: str, also_allowed: str, reason: str
) -> None:
    net = FakeNet(server, {"assets.test": [PUBLIC], "internal.test": ["10.0.0.5"]})
    policy = public_policy(server, *([also_allowed] if also_allowed else []))
    with pytest.raises(Refused, match=reason):
        fetcher(net).fetch(f"http://assets.test:{server.port}{path}", policy)
    assert server.hits[path] == 1
    assert server.hits["/secret"] == 0
    assert net.connects == [(PUBLIC, server.port)]  # the redirect target was never connected to


def test_a_redirect_to_a_metadata_address_is_refused_even_on_an_allowed_origin(server: AssetServer) -> None:
    net = FakeNet(server, {"assets.test": [PUBLIC]})
    policy = public_policy(server, "http://169.254.169.254")
    with pytest.raises(Refused, match="metadata"):
        fetcher(net).fetch(f"http://assets.test:{server.port}/to-metadata", policy)
    assert net.connects == [(PUBLIC, server.port)]


def test_redirects_within_the_policy_are_followed_up_to_five(server: AssetServer) -> None:
    net = FakeNet(server, {"assets.test": [PUBLIC]})
    got = fetcher(net).fetch(f"http://assets.test:{server.port}/to-style", public_policy(server))
    assert got.body == CSS and got.url.endswith("/style.css")
    with pytest.raises(Refused, match="more than 5 redirects"):
        fetcher(net).fetch(f"http://assets.test:{server.port}/loop", public_policy(server))
    assert server.hits["/loop"] == 6


def test_html_is_never_taken_for_a_resource(server: AssetServer) -> None:
    net = FakeNet(server, {"assets.test": [PUBLIC]})
    with pytest.raises(Refused, match="content type"):
        fetcher(net).fetch(f"http://assets.test:{server.port}/page.html", public_policy(server))


def test_oversized_responses_are_refused(server: AssetServer) -> None:
    net = FakeNet(server, {"assets.test": [PUBLIC]})
    with pytest.raises(Refused, match="oversized: declares"):
        fetcher(net).fetch(f"http://assets.test:{server.port}/declared-big.css", public_policy(server))
    with pytest.raises(Refused, match="oversized: more than 1000 bytes"):
        fetcher(net, max_bytes=1000).fetch(f"http://assets.test:{server.port}/big.css", public_policy(server))


def test_slow_responses_are_cut_off_at_the_deadline(server: AssetServer) -> None:
    net = FakeNet(server, {"assets.test": [PUBLIC]})
    with pytest.raises(Refused, match="took longer than"):
        fetcher(net, total_timeout_s=0.3).fetch(
            f"http://assets.test:{server.port}/slow.css", public_policy(server)
        )


def test_address_refusal_reasons() -> None:
    assert address_refusal("93.184.216.34", False) is None
    assert address_refusal("2606:4700::1111", False) is None
    assert address_refusal("not-an-ip", True) is not None


def test_capture_logs_each_refusal_and_records_it_without_fetching(
    server: AssetServer, caplog: pytest.LogCaptureFixture
) -> None:
    from reel.processing.resources.capture import Capture
    from reel.storage.memory_blobs import MemoryReplayStore
    from reel.storage.memory_resources import MemoryResourceStore

    net = FakeNet(
        server, {"assets.test": [PUBLIC], "meta.test": ["169.254.169.254"], "lan.test": ["192.168.1.9"]}
    )
    policy = FetchPolicy.of([f"http://{h}:{server.port}" for h in ("assets.test", "meta.test", "lan.test")])
    blobs = MemoryReplayStore()
    capture = Capture(MemoryResourceStore(), blobs, fetcher(net), "app_1", policy, now=0)
    caplog.set_level("WARNING", logger="reel.resources")
    urls = [
        f"http://meta.test:{server.port}/latest/meta-data/",
        f"http://lan.test:{server.port}/style.css",
        f"{server.url}/style.css",
        "gopher://assets.test/_x",
    ]
    rows = [capture.url(u) for u in urls]
    assert [r.status for r in rows] == ["refused"] * 4
    logged = [r.getMessage() for r in caplog.records]
    assert all(any(u in m and "resource refused" in m for m in logged) for u in urls), logged
    assert net.connects == [] and server.total_hits() == 0 and list(blobs.keys()) == []
