"""The web export's in-process routing: requests of the player's origin go to the Reel app, any other
origin is refused without being fetched."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reel.cli.web_export import EXPORT_ORIGIN, _serve


@dataclass
class FakeRequest:
    url: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=lambda: {"host": "x", "accept": "*/*"})
    post_data_buffer: bytes | None = None


@dataclass
class FakeRoute:
    request: FakeRequest
    aborted: str | None = None
    fulfilled: dict[str, Any] | None = None

    def abort(self, reason: str) -> None:
        self.aborted = reason

    def fulfill(self, **answer: Any) -> None:
        self.fulfilled = answer


@dataclass
class FakeAnswer:
    status_code: int = 200
    headers: dict[str, str] = field(
        default_factory=lambda: {
            "content-type": "text/html",
            "content-encoding": "gzip",
            "content-length": "9",
        }
    )
    content: bytes = b"<p>ok</p>"


class FakeClient:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str, dict[str, str]]] = []

    def request(
        self, method: str, target: str, *, headers: dict[str, str], content: bytes | None
    ) -> FakeAnswer:
        self.asked.append((method, target, headers))
        return FakeAnswer()


def test_other_origins_are_refused_unfetched() -> None:
    client = FakeClient()
    for url in ("http://127.0.0.1:8000/x.png", "https://reel.export/", "http://reel.export.evil/", "data:,x"):
        route = FakeRoute(FakeRequest(url))
        _serve(client, route)  # type: ignore[arg-type]
        assert route.aborted == "blockedbyclient" and route.fulfilled is None, url
    assert client.asked == []


def test_the_players_origin_is_answered_by_the_app_without_hop_headers() -> None:
    client = FakeClient()
    route = FakeRoute(FakeRequest(f"{EXPORT_ORIGIN}/api/v1/sessions/ses_1/segments/0?head=true"))
    _serve(client, route)  # type: ignore[arg-type]
    assert client.asked == [("GET", "/api/v1/sessions/ses_1/segments/0?head=true", {"accept": "*/*"})]
    assert route.fulfilled == {"status": 200, "headers": {"content-type": "text/html"}, "body": b"<p>ok</p>"}
