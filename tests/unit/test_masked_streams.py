"""Masked streams for the player: one forward pass per session and rules version, chunks sliced from it."""

from __future__ import annotations

from typing import Any

from reel.domain.records import StoredBeacon
from reel.domain.rules import DEFAULT_RULES, parse_rules
from reel.replay.index import Window
from reel.replay.masking import mask_events
from reel.replay.streams import MaskedStreams, StreamSource, new_stream_cache

Event = dict[str, Any]
T = 1_764_240_000_000
WHOLE = Window(None, None)


def snapshot() -> list[Event]:
    body = {
        "type": 2,
        "id": 3,
        "tagName": "body",
        "attributes": {},
        "childNodes": [{"type": 3, "id": 4, "textContent": "x"}],
    }
    doc = {
        "type": 0,
        "id": 1,
        "childNodes": [{"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [body]}],
    }
    return [
        {"type": 4, "timestamp": T, "data": {"href": "https://a/?q=1", "width": 1, "height": 1}},
        {"type": 2, "timestamp": T, "data": {"node": doc, "initialOffset": {"top": 0, "left": 0}}},
    ]


def text_change(seq: int) -> Event:
    data = {
        "source": 0,
        "texts": [{"id": 4, "value": f"SECRET-{seq}"}],
        "attributes": [],
        "removes": [],
        "adds": [],
    }
    return {"type": 3, "timestamp": T + seq, "data": data}


class Recording:
    """Beacons in a dict, counting loads."""

    def __init__(self, count: int) -> None:
        self.events = {0: snapshot(), **{seq: [text_change(seq)] for seq in range(1, count)}}
        self.loads = 0

    def beacon(self, seq: int) -> StoredBeacon:
        return StoredBeacon("app", "rec", seq, "ses", f"key-{seq}", T, T + seq, T + seq, 1, 100)

    def source(self, seqs: list[int], window: Window = WHOLE) -> StreamSource:
        return StreamSource("ses", None, tuple(self.beacon(s) for s in seqs), window)

    def load(self, beacon: StoredBeacon) -> list[Any]:
        self.loads += 1
        return self.events[beacon.seq]


def fetch(
    streams: MaskedStreams, rec: Recording, source: StreamSource, lo: int, hi: int | None
) -> list[Event]:
    return streams.events(source, DEFAULT_RULES, lo, hi, load_head=lambda key: [], load=rec.load)


def test_a_chunk_is_masked_as_in_the_whole_stream_and_each_beacon_is_read_once() -> None:
    rec = Recording(10)
    streams = MaskedStreams()
    source = rec.source(list(range(10)))
    whole = mask_events([e for s in range(10) for e in rec.events[s]], DEFAULT_RULES)
    assert fetch(streams, rec, source, 7, 9) == whole[-3:]
    assert fetch(streams, rec, source, 0, 3) == whole[:5]  # answered from what the pass kept
    assert fetch(streams, rec, source, 0, None) == whole
    assert rec.loads == 10
    assert "SECRET" not in str(whole)


def test_new_beacons_extend_the_pass_and_a_late_one_among_them_restarts_it() -> None:
    rec = Recording(8)
    streams = MaskedStreams()
    fetch(streams, rec, rec.source([0, 1, 2, 4]), 0, None)
    assert rec.loads == 4
    fetch(streams, rec, rec.source([0, 1, 2, 4, 5]), 5, 5)  # after those passed: goes on
    assert rec.loads == 5
    out = fetch(streams, rec, rec.source([0, 1, 2, 3, 4, 5]), 3, 3)  # seq 3 arrived late: a new pass
    assert rec.loads == 9 and len(out) == 1


def test_each_rules_version_has_its_own_pass_and_streams_are_evicted_by_size() -> None:
    rec = Recording(4)
    streams = MaskedStreams(new_stream_cache(max_bytes=10_000, max_streams=2))
    source = rec.source([0, 1, 2, 3])
    shown = parse_rules({"preset": "mask_inputs"}, version=1)
    masked = fetch(streams, rec, source, 0, None)
    plain = streams.events(source, shown, 0, None, load_head=lambda key: [], load=rec.load)
    assert "SECRET-1" in str(plain) and "SECRET-1" not in str(masked)
    assert len(streams) == 2
    other = StreamSource("ses-2", None, source.beacons, source.window)
    streams.events(other, DEFAULT_RULES, 0, None, load_head=lambda key: [], load=rec.load)
    assert len(streams) == 2  # the least recently used went
    tiny = MaskedStreams(new_stream_cache(max_bytes=10))
    fetch(tiny, rec, source, 0, None)
    assert len(tiny) == 0  # over the budget on its own: answered, not kept


def test_a_window_keeps_a_part_to_its_own_time_range() -> None:
    rec = Recording(6)
    streams = MaskedStreams()
    out = fetch(streams, rec, rec.source(list(range(6)), Window(None, T + 3)), 0, None)
    assert [e["timestamp"] for e in out] == [T, T, T + 1, T + 2]
