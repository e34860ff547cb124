"""The stored form of a compacted segment: format 3 (columns) round-trips any events exactly, format 2
blobs written by earlier Reel still read, and a damaged blob is a storage fault."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from reel.errors import StorageUnavailable
from reel.storage import columnar
from reel.storage.removed_ids import predict_removals, restore_removals
from reel.storage.segments import MAGIC, SegmentDoc, decode_segment, encode_segment

# Any JSON value orjson reads: integers beyond 64 bits are not JSON Reel accepts, floats are finite.
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=40,
)
events = st.lists(
    st.fixed_dictionaries(
        {"type": st.integers(0, 6), "timestamp": st.integers(0, 2**45)},
        optional={"data": json_values, "delay": st.integers(-(10**6), 10**6)},
    )
    | st.dictionaries(st.text(max_size=8), json_values, max_size=4),
    max_size=12,
)
seq_runs = st.lists(st.tuples(st.integers(0, 2**40), st.integers(1, 10**6)), max_size=6)


def typed(value: Any) -> bytes:
    """A value's JSON text: equal texts mean equal values of equal types (True is not 1, 1.0 is not 1)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


@given(json_values)
def test_columns_hold_any_json_value_exactly(value: Any) -> None:
    back = columnar.decode(columnar.encode(value))
    assert back == value and typed(back) == typed(value)


@given(events, events, seq_runs)
def test_any_events_encode_and_decode_to_equal_events(keyframe: Any, evs: Any, seqs: Any) -> None:
    doc = SegmentDoc(keyframe, evs, seqs)
    blob, raw = encode_segment(doc)
    back = decode_segment(blob)
    assert back == doc
    assert typed([back.keyframe, back.events, back.seqs]) == typed([keyframe, evs, seqs])
    assert zstandard.ZstdDecompressor().decompress(blob).startswith(MAGIC)
    assert raw == len(orjson.dumps({"v": 2, "keyframe": keyframe, "events": evs, "seqs": seqs}))


def test_key_order_and_shared_paths_survive() -> None:
    value = {"b": [{"x": 1, "y": "a"}, {"y": "b", "x": 2.5}, {"x": True}], "a": {"x": -(2**63)}, "": None}
    back = columnar.decode(columnar.encode(value))
    assert list(back) == ["b", "a", ""] and list(back["b"][1]) == ["y", "x"]
    assert typed(back) == typed(value)


def test_a_segment_nested_too_deep_for_columns_is_stored_as_json() -> None:
    deep: Any = "leaf"
    for _ in range(columnar.MAX_DEPTH + 10):
        deep = {"childNodes": [deep]}
    doc = SegmentDoc([], [{"type": 2, "data": deep, "timestamp": 1}], [(0, 1)])
    blob, _ = encode_segment(doc)
    assert zstandard.ZstdDecompressor().decompress(blob).startswith(b"{")
    assert decode_segment(blob) == doc


# Written by Reel's segment format 2 (zstd level 9 over version-stamped JSON) before format 3 existed.
FORMAT_2_BLOB = base64.b64decode(
    "KLUv/WDUAW0LAGZWRCpwJ20O/P9VVVXIH/7Vmqzp7tqopH9L+hVFIXaUOKRghDXcth+xKVlVhRM4ADkAOAD7XhCNlytCSMZ+adYO"
    "XG9gF5mVYIMIF2kwrIzdy/cKN8sX+9WLXY89R0V/keyZWY2i4IVr2j9fBP3ggE5wXw/mE99Ludzhi3YKtKZ7XR+vgFh9TZIZVGCu"
    "LYcr2jODL+lERzoCCDD2kVktmWl9nQghBAZj64EMN1eVqHkECQpaguPWcz00DpT9+OGrmmgfYbfCrlkqCgG3WrfXrtNIah7sWbse"
    "OscJ3/fjU6mkSKLK0CMxwPKqpnPO278rO03vFyBb0ClWvN4xN98jViNpIgQAYoDSXnFFxj7xYOsmYbwaASQgYKJBY32tg6IjDrZw"
    "v0nHpRPQQx6AwgCHWSkObmgSfB8XuRoqMQDiwAtXx8pBApIBTQHMDc1HhMOOu7Mx+cgUdotcUMNDSH0J+7CEsaH5fFLsq5KgPJQz"
)


def test_a_format_2_blob_still_reads() -> None:
    doc = decode_segment(FORMAT_2_BLOB)
    assert doc.seqs == [(4, 1), (5, 2)]
    assert [e["type"] for e in doc.keyframe] == [4, 2]
    assert doc.keyframe[1]["data"]["node"]["childNodes"][0]["childNodes"][0]["textContent"] == "Hello"
    assert doc.events[0]["data"]["texts"] == [{"id": 3, "value": "Hi é"}]
    assert doc.events[1]["data"]["positions"][0] == {"x": 10, "y": 20.5, "id": 2, "timeOffset": -50}
    assert doc.events[2]["data"]["payload"] == {"ok": True, "n": None}
    assert doc.by_seq() == {4: doc.events[:1], 5: doc.events[1:]}
    # Compacted again (a late beacon merged in), it is written in format 3 with the same content.
    again, _ = encode_segment(doc)
    assert zstandard.ZstdDecompressor().decompress(again).startswith(MAGIC)
    assert decode_segment(again) == doc


def test_format_3_is_smaller_than_format_2_on_repetitive_events() -> None:
    evs = [
        {
            "type": 3,
            "data": {"source": 0, "texts": [{"id": 1000 + i % 50, "value": str(i * 7 % 997)}]},
            "timestamp": i,
        }
        for i in range(0, 2_000_000, 1000)
    ]
    doc = SegmentDoc([], evs, [(0, len(evs))])
    blob, _ = encode_segment(doc)
    json_blob = zstandard.ZstdCompressor(level=19).compress(
        orjson.dumps({"v": 2, "keyframe": [], "events": evs, "seqs": [[0, len(evs)]]})
    )
    assert len(blob) < 0.8 * len(json_blob)


def _format_3(body: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(MAGIC + body)


@pytest.mark.parametrize(
    "blob",
    [
        b"not zstd at all",
        zstandard.ZstdCompressor().compress(b'{"v": 9, "keyframe": [], "events": [], "seqs": []}'),
        zstandard.ZstdCompressor().compress(b'{"v": 2, "keyframe": {}, "events": [], "seqs": []}'),
        zstandard.ZstdCompressor().compress(b'{"v": 2, "keyframe": [], "events": [], "seqs": [["x"]]}'),
        _format_3(b""),
        _format_3(b"\x02\x00\x00\x00\x05"),  # the shape names a key that is not there
        _format_3(columnar.encode({"k": [], "e": [1, 2]})[:-1]),  # cut short
        _format_3(columnar.encode({"k": [], "e": [], "s": []}) + b"\x00"),  # data left over
        _format_3(columnar.encode([1, 2, 3])),  # not a segment
    ],
)
def test_a_damaged_segment_is_a_storage_fault(blob: bytes) -> None:
    with pytest.raises(StorageUnavailable):
        decode_segment(blob)


# Mutations as rrweb writes them, with ids and parents that may or may not be what the prediction expects.
ids = st.integers(0, 60) | st.none() | st.booleans() | st.text(max_size=2)
removal = st.fixed_dictionaries({"parentId": ids, "id": ids}) | st.fixed_dictionaries({"parentId": ids})
addition = st.fixed_dictionaries(
    {"parentId": ids, "nextId": ids, "node": st.fixed_dictionaries({"type": st.just(3), "id": ids})}
)
mutation = st.builds(
    lambda removes, adds, ts: {
        "type": 3,
        "data": {"source": 0, "texts": [], "attributes": [], "removes": removes, "adds": adds},
        "timestamp": ts,
    },
    st.lists(removal | json_values, max_size=4),
    st.lists(addition, max_size=4),
    st.integers(0, 10**6),
)
snapshot = st.builds(
    lambda kids: {"type": 2, "data": {"node": {"type": 0, "id": 1, "childNodes": kids}}, "timestamp": 0},
    st.lists(st.fixed_dictionaries({"type": st.just(2), "id": ids, "childNodes": st.just([])}), max_size=3),
)


@given(st.lists(snapshot | mutation, max_size=4), st.lists(snapshot | mutation | json_values, max_size=8))
def test_removed_ids_are_restored_exactly_whatever_the_mutations_hold(keyframe: Any, evs: Any) -> None:
    before = typed([keyframe, evs])
    (k, e), diffs = predict_removals([keyframe, evs])
    assert typed([keyframe, evs]) == before  # the input is left as it was
    restore_removals([k, e], diffs)
    assert typed([k, e]) == before
    doc = SegmentDoc(keyframe, evs, [])
    assert typed(decode_segment(encode_segment(doc)[0]).events) == typed(evs)


def test_a_text_replaced_again_and_again_needs_no_removed_id() -> None:
    cell = {"type": 2, "tagName": "td", "attributes": {}, "id": 10, "childNodes": [{"type": 3, "id": 11}]}
    keyframe = [{"type": 2, "data": {"node": {"type": 0, "id": 1, "childNodes": [cell]}}, "timestamp": 0}]
    evs = [
        {
            "type": 3,
            "data": {
                "source": 0,
                "removes": [{"parentId": 10, "id": 11 + n}],
                "adds": [
                    {"parentId": 10, "nextId": None, "node": {"type": 3, "textContent": str(n), "id": 12 + n}}
                ],
            },
            "timestamp": n,
        }
        for n in range(5)
    ]
    (_k, written), diffs = predict_removals([keyframe, evs])
    assert diffs == [0, 0, 0, 0, 0]
    assert all(e["data"]["removes"] == [{"parentId": 10, "id": None}] for e in written)
    assert evs[0]["data"]["removes"] == [{"parentId": 10, "id": 11}]


def test_removed_ids_that_do_not_fit_their_differences_are_a_storage_fault() -> None:
    doc = {
        "k": [],
        "e": [{"type": 3, "data": {"source": 0, "removes": [{"parentId": 1, "id": None}]}}],
        "s": [],
        "r": [],
    }
    with pytest.raises(StorageUnavailable):
        decode_segment(_format_3(columnar.encode(doc)))


@pytest.mark.parametrize(
    ("ints", "longest"),
    [
        ([10**12 + n for n in range(300)], 300 + 20),  # in sequence: differences, one byte each
        ([(-1) ** n * (n * 7919 % 61) for n in range(300)], 300 + 20),  # small: themselves
        ([10**12 + (n * 7919 % 50) * 10**6 for n in range(300)], 300 + 50 * 7 + 20),  # a few far apart, again
    ],
)
def test_integer_columns_take_the_shortest_coding_and_read_back(ints: list[int], longest: int) -> None:
    data = columnar.encode(ints)
    assert len(data) <= longest + 300 + 10  # plus the shape: a tag per value
    assert columnar.decode(data) == ints
