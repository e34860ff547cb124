"""`BeaconRequest.of_scope` reads the values Starlette's Request gives the same request: the query's
`k`, `ce` and `sent_at` before the headers', the first of a repeated header, the last of a repeated
query parameter, percent-escapes decoded."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request

from reel.ingest.beacon_request import BeaconRequest

NAMES = [b"origin", b"content-length", b"content-encoding", b"content-type", b"expect", b"x-reel-app-key",
         b"x-reel-sent-at", b"x-other"]  # fmt: skip
KEYS = ["k", "ce", "sent_at", "other", "K"]


def scope(headers: list[tuple[bytes, bytes]], query: bytes) -> dict[str, object]:
    return {"type": "http", "method": "POST", "headers": headers, "query_string": query}


def as_starlette_read_it(request: Request) -> BeaconRequest:
    """What the beacon routes read through Starlette before `BeaconRequest` existed."""
    q, h = request.query_params, request.headers
    return BeaconRequest(
        app_key=q.get("k") or h.get("x-reel-app-key"),
        origin=h.get("origin"),
        content_length=h.get("content-length"),
        encoding=q.get("ce") or h.get("content-encoding"),
        content_type=h.get("content-type"),
        expect=h.get("expect"),
        sent_at=q.get("sent_at") or h.get("x-reel-sent-at"),
    )


def test_the_query_wins_over_the_headers_and_absent_values_are_none() -> None:
    read = BeaconRequest.of_scope(
        scope(
            [(b"origin", b"https://shop.test"), (b"x-reel-app-key", b"key"), (b"content-encoding", b"gzip")],
            b"k=query%20key&sent_at=1700000000000",
        )
    )
    assert read == BeaconRequest(
        app_key="query key", origin="https://shop.test", content_length=None, encoding="gzip",
        content_type=None, expect=None, sent_at="1700000000000",
    )  # fmt: skip
    assert BeaconRequest.of_scope(scope([], b"")) == BeaconRequest(None, None, None, None, None, None, None)


def test_an_empty_query_value_falls_back_to_the_header() -> None:
    read = BeaconRequest.of_scope(scope([(b"x-reel-app-key", b"from-header")], b"k=&ce=gzip&ce=identity"))
    assert (read.app_key, read.encoding) == ("from-header", "identity")


@given(
    st.lists(st.tuples(st.sampled_from(NAMES), st.binary(max_size=12)), max_size=8),
    st.lists(st.tuples(st.sampled_from(KEYS), st.text(max_size=8) | st.text("ab-0", max_size=3)), max_size=6),
    st.sampled_from(["&", ";", "&&"]),
)
def test_it_reads_what_starlette_reads(
    headers: list[tuple[bytes, bytes]], params: list[tuple[str, str]], joiner: str
) -> None:
    query = joiner.join(f"{quote(k)}={quote(v)}" for k, v in params).encode()
    s = scope(headers, query)
    assert BeaconRequest.of_scope(s) == as_starlette_read_it(Request(s))


@given(
    st.lists(
        st.tuples(st.sampled_from(["k", "ce", "sent_at", ""]), st.text("a%+2=", max_size=3)), max_size=6
    ),
    st.sampled_from(["&", "&&", ";"]),
)
def test_any_query_string_reads_as_starlette_reads_it(params: list[tuple[str, str]], joiner: str) -> None:
    query = joiner.join(f"{k}={v}" if v else k for k, v in params).encode()
    s = scope([(b"x-reel-app-key", b"h"), (b"content-encoding", b"gzip")], query)
    assert BeaconRequest.of_scope(s) == as_starlette_read_it(Request(s))
