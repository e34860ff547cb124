"""Body decoding: gzip, truncation, bombs and encodings."""

from __future__ import annotations

import gzip
import os

import pytest

from reel.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from reel.ingest.decode import CappedDecoder, decode_body


def test_gzip_round_trips_in_small_chunks() -> None:
    data = os.urandom(50_000).hex().encode()
    packed = gzip.compress(data)
    decoder = CappedDecoder("gzip", max_out=len(data))
    for i in range(0, len(packed), 777):
        decoder.feed(packed[i : i + 777])
    assert decoder.finish() == data


def test_identity_passes_bytes_through() -> None:
    assert decode_body(b'{"a":1}', "identity", max_out=100) == b'{"a":1}'


def test_truncated_gzip_is_bad_request() -> None:
    packed = gzip.compress(b"x" * 10_000)
    with pytest.raises(BadRequest, match="truncated"):
        decode_body(packed[:-9], "gzip", max_out=1_000_000)


def test_garbage_is_bad_request() -> None:
    with pytest.raises(BadRequest, match="malformed gzip"):
        decode_body(b"this is not gzip at all", "gzip", max_out=1000)


def test_trailing_data_after_gzip_is_refused() -> None:
    with pytest.raises(BadRequest, match="after the end"):
        decode_body(gzip.compress(b"{}") + b"junk", "gzip", max_out=1000)


def test_gzip_bomb_stops_at_the_cap_without_inflating_everything() -> None:
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024), compresslevel=9)  # ~50 KiB that inflates to 50 MiB
    decoder = CappedDecoder("gzip", max_out=1024 * 1024)
    with pytest.raises(PayloadTooLarge):
        decoder.feed(bomb)
    # The decoder holds at most the cap, never the whole inflated body.
    assert len(decoder._out) <= 1024 * 1024


def test_identity_over_the_cap_is_too_large() -> None:
    with pytest.raises(PayloadTooLarge):
        decode_body(b"x" * 101, "identity", max_out=100)


@pytest.mark.parametrize("encoding", ["br", "deflate", "zstd", "gzip, br"])
def test_other_encodings_are_unsupported(encoding: str) -> None:
    with pytest.raises(UnsupportedMediaType):
        CappedDecoder(encoding, max_out=10)


def test_a_dom_nested_past_orjsons_encoding_limit_is_stored_and_served() -> None:
    """orjson encodes at most 255 levels; a page ~200 elements deep must still be stored and replayed."""
    from reel.jsonio import dumps
    from reel.storage.chunks import decode_events, encode_events

    node: dict[str, object] = {"type": 3, "id": 1, "textContent": "leaf"}
    for i in range(2, 400):
        node = {"type": 2, "id": i, "tagName": "div", "attributes": {}, "childNodes": [node]}
    events = [{"type": 2, "timestamp": 1, "data": {"node": node, "initialOffset": {"top": 0, "left": 0}}}]
    assert decode_events(encode_events(events)) == events
    assert dumps(events).startswith(b'[{"type":2')
