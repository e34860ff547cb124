"""Properties of the DOM mirror: resuming from the state at T equals playing the whole stream; any
input, valid or not, is applied without an exception."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reel.dom.mirror import DomMirror, prefix_end, state_at
from strategies import corrupted_events, json_values, rrweb_streams

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _rounded(value: Any) -> Any:
    """`value` with its floats rounded in place (media times are advanced in two steps when resuming)."""
    stack = [value]
    while stack:
        current = stack.pop()
        pairs = (
            current.items()
            if isinstance(current, dict)
            else enumerate(current)
            if isinstance(current, list)
            else ()
        )
        for key, child in list(pairs):
            if isinstance(child, float):
                current[key] = round(child, 6)
            else:
                stack.append(child)
    return value


def _picture(mirror: DomMirror) -> Any:
    """Everything the mirror holds, in comparable form."""
    styles = {sid: sheet.rule_texts() for sid, sheet in mirror.styles.items()}
    folded, unfolded = mirror.snapshot(), mirror.snapshot(fold=False)
    facts = (mirror.href, mirror.width, mirror.height, mirror.adopted, mirror.fonts)
    return _rounded([folded, unfolded, styles, *facts])


def _internal_errors(mirror: DomMirror) -> list[str]:
    return [p.reason for p in mirror.problems if p.reason.startswith("internal error")]


@FAST
@given(stream=rrweb_streams(), data=st.data())
def test_state_at_t_then_the_rest_ends_where_the_whole_stream_ends(
    stream: list[dict[str, Any]], data: st.DataObject
) -> None:
    """State at any T, then the events after T, gives the same final state as the whole stream."""
    cut = data.draw(st.sampled_from([e["timestamp"] for e in stream]))
    whole = DomMirror()
    whole.apply_all(stream)
    start = state_at(stream, cut)
    assert [e["timestamp"] for e in start] == [cut] * len(start)
    resumed = DomMirror()
    resumed.apply_all(start)
    assert resumed.problems == [], "the state events apply cleanly"
    resumed.apply_all(stream[prefix_end(stream, cut) :])
    end = stream[-1]["timestamp"]
    assert _rounded(resumed.state_events(end)) == _rounded(whole.state_events(end))
    assert _picture(resumed) == _picture(whole)
    assert not _internal_errors(whole)


@SOME
@given(stream=rrweb_streams())
def test_state_events_are_a_fixed_point(stream: list[dict[str, Any]]) -> None:
    """Feeding the state events to a fresh mirror reproduces exactly those events."""
    mirror = DomMirror()
    mirror.apply_all(stream)
    at = stream[-1]["timestamp"]
    events = mirror.state_events(at)
    again = DomMirror()
    again.apply_all(orjson.loads(orjson.dumps(events)))
    assert again.problems == []
    assert _rounded(again.state_events(at)) == _rounded(events)


@SOME
@given(stream=rrweb_streams(max_events=40))
def test_valid_streams_never_raise(stream: list[dict[str, Any]]) -> None:
    """Any valid stream applies without an exception or internal error, and its output is JSON."""
    mirror = DomMirror()
    mirror.apply_all(stream)
    assert not _internal_errors(mirror)
    orjson.dumps(mirror.snapshot())
    orjson.dumps(mirror.state_events())


@FAST
@given(events=corrupted_events())
def test_corrupted_streams_never_raise(events: list[Any]) -> None:
    """A stream with arbitrary JSON spliced in anywhere is applied without an exception."""
    mirror = DomMirror()
    mirror.apply_all(events)
    assert not _internal_errors(mirror)
    orjson.dumps(mirror.snapshot())
    orjson.dumps(mirror.snapshot(fold=False))
    orjson.dumps(mirror.state_events())


@settings(max_examples=300, deadline=None)
@given(
    event=st.one_of(json_values(), st.fixed_dictionaries({"type": st.integers(0, 8), "data": json_values()}))
)
def test_garbage_events_never_raise(event: Any) -> None:
    """Arbitrary JSON as an event is reported, never raised."""
    mirror = DomMirror()
    mirror.apply(event)
    assert not _internal_errors(mirror)
