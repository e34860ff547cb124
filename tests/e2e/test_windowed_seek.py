"""End to end: the player reaches the same DOM at any moment of a long split recording, however it gets there.

Ten recorded hours of a ticking page (a clock every 20 s, a row added every 3 minutes and removed 4.5
minutes later), one beacon a minute, so Reel splits it in two parts and cuts ~120 segments. At 20
random moments the replayed DOM reached by a deep link `?t=`, by a seek from elsewhere (forward and
backward) and by playing on from the segment before are serialized and compared, and hold the page's
text at that moment. Checked with the segments processed but not compacted (keyframes beside the
buffered beacons), then again after compaction. A deep link at the end fetches O(1) segments.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from live import LiveReel, live_reel, open_logged_in, post_events
from reel.demo.browser import chromium_browser
from reel.processing import worker as processing_worker
from reel.processing.worker import process_pending
from support import HOUR, T0, dashboard_snapshot, tick

pytestmark = pytest.mark.browser

TOTAL_MS = 10 * HOUR
BEACON_MS = 60_000
TICK_MS = 20_000
ROW_MS = 180_000
ROW_LIFE_MS = 270_000
MOMENTS = 20
SEGMENT_URL = re.compile(r"/api/v1/sessions/[^/]+/segments/(-?\d+)")

DOM_JS = """() => {
  const doc = window.reelPlayer.iframe().contentDocument;
  const clock = doc.getElementById('clock');
  return { html: doc.documentElement.outerHTML, clock: clock ? clock.textContent : null,
           rows: Array.from(doc.querySelectorAll('#rows > li')).map((li) => li.textContent) };
}"""


def label(ts: int) -> str:
    """The clock's text at a tick."""
    s = (ts - T0) // 1000
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def ticks() -> list[int]:
    return list(range(T0 + 500, T0 + TOTAL_MS, TICK_MS))


def rows() -> list[tuple[int, int, int]]:
    """(number, added at, removed at) of every row."""
    return [
        (j, T0 + j * ROW_MS + 1000, T0 + j * ROW_MS + 1000 + ROW_LIFE_MS) for j in range(TOTAL_MS // ROW_MS)
    ]


def row_add(ts: int, j: int) -> dict[str, Any]:
    # rrweb adds each node of a mutation on its own: the row, then its text.
    li = {"type": 2, "id": 1000 + 2 * j, "tagName": "li", "attributes": {"id": f"row-{j}"}, "childNodes": []}
    text = {"type": 3, "id": 1001 + 2 * j, "textContent": f"row {j}"}
    adds = [
        {"parentId": 6, "nextId": None, "node": li},
        {"parentId": 1000 + 2 * j, "nextId": None, "node": text},
    ]
    data = {"source": 0, "adds": adds, "texts": [], "attributes": []}
    return {"type": 3, "timestamp": ts, "data": {**data, "removes": []}}


def row_remove(ts: int, j: int) -> dict[str, Any]:
    data = {
        "source": 0,
        "adds": [],
        "texts": [],
        "attributes": [],
        "removes": [{"parentId": 6, "id": 1000 + 2 * j}],
    }
    return {"type": 3, "timestamp": ts, "data": data}


def page_snapshot() -> list[dict[str, Any]]:
    """The support dashboard (html 2 > body 3 > div#clock 4 > text 5) with an empty list ul#rows 6."""
    meta, full = dashboard_snapshot(T0)
    body = full["data"]["node"]["childNodes"][0]["childNodes"][0]
    body["childNodes"].append(
        {"type": 2, "id": 6, "tagName": "ul", "attributes": {"id": "rows"}, "childNodes": []}
    )
    return [meta, full]


def beacons() -> list[list[dict[str, Any]]]:
    """The recording, one beacon per recorded minute."""
    events: list[dict[str, Any]] = page_snapshot()
    events += [tick(ts, label(ts)) for ts in ticks()]
    for j, added, removed in rows():
        events.append(row_add(added, j))
        if removed < T0 + TOTAL_MS:
            events.append(row_remove(removed, j))
    events.sort(key=lambda e: int(e["timestamp"]))
    batches: list[list[dict[str, Any]]] = [[] for _ in range(TOTAL_MS // BEACON_MS)]
    for event in events:
        batches[(int(event["timestamp"]) - T0) // BEACON_MS].append(event)
    return batches


def live_text(at: int) -> tuple[str, list[str]]:
    """The page's clock and rows at `at` (epoch ms), events stamped `at` included."""
    clock = label(max(ts for ts in ticks() if ts <= at))
    present = [f"row {j}" for j, added, removed in rows() if added <= at < removed]
    return clock, present


@dataclass(frozen=True)
class Part:
    id: str
    start: int
    end: int
    segments: list[dict[str, Any]]


def record(live: LiveReel, recording_id: str, batches: list[list[dict[str, Any]]]) -> None:
    """Post `batches` as one recording's beacons, with every text shown at replay."""
    app = live.api("/api/v1/applications")["applications"][0]
    # The clock and rows are what these tests read: show all text (the default masks it at replay).
    rules = {"preset": "allow_list", "rules": [{"type": "unmask", "selector": "*"}]}
    url = f"{live.reel_url}/api/v1/applications/{app['id']}/masking-rules"
    assert httpx.put(url, json=rules, headers=live.auth).status_code == 200
    with httpx.Client() as client:
        for seq, events in enumerate(batches):
            post_events(live, app, recording_id, events, seq=seq, session_id="s-1", client=client)


def parts(live: LiveReel) -> list[Part]:
    found = []
    for s in live.api("/api/v1/sessions", sort="start")["sessions"]:
        detail = live.api(f"/api/v1/sessions/{s['id']}")
        found.append(Part(s["id"], detail["start"], detail["end"], detail["segments"]))
    return found


def moments(split: list[Part]) -> Iterator[tuple[Part, int]]:
    """20 random moments (epoch ms) across the parts, each with its part."""
    rng = random.Random(11)
    for i in range(MOMENTS):
        part = split[0] if i % 3 else split[-1]
        yield part, rng.randrange(part.start + 2_000, part.end)


def check_paths(live: LiveReel, browser: Any, split: list[Part]) -> None:
    """At each moment: deep link, seek from elsewhere and playing on give one DOM, with the page's text."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    # No user input in this recording: all of it is idle, and skipping it would jump to the end. Playing
    # on crosses a segment boundary at 8x, as a user in a hurry would (and 40 plays at 1x took a minute).
    context.add_init_script(
        "localStorage.setItem('reel.player', JSON.stringify({speed: 8, skipInactive: false}))"
    )
    login = context.new_page()
    open_logged_in(login, f"{live.reel_url}/sessions")
    seekers = {p.id: context.new_page() for p in split}
    for part, page in seekers.items():
        page.goto(f"{live.reel_url}/sessions/{part}?t=0")
        page.evaluate("() => window.reelPlayer.ready")
    linked = context.new_page()
    rng = random.Random(5)
    # Reel moves a recording's clock onto its own when they disagree (this one was recorded at T0).
    skew = split[0].start - T0
    for i, (part, at) in enumerate(moments(split)):
        rel = at - part.start
        linked.goto(f"{live.reel_url}/sessions/{part.id}?t={rel}")
        linked.evaluate("() => window.reelPlayer.ready")
        deep = linked.evaluate(DOM_JS)

        page = seekers[part.id]
        # From elsewhere: alternately from before (a forward seek) and from after (a backward one).
        elsewhere = rng.randrange(part.start, at) if i % 2 == 0 else rng.randrange(at, part.end)
        page.evaluate("(ms) => window.reelPlayer.seek(ms)", elsewhere - part.start)
        page.evaluate("(ms) => window.reelPlayer.seek(ms)", rel)
        sought = page.evaluate(DOM_JS)

        # Playing on: from 1.5 s before the start of the moment's segment, across the boundary, then on.
        seg = max((s for s in part.segments if s["start"] <= at), key=lambda s: int(s["start"]))
        played_from = max(part.start, seg["start"] - 1500)
        page.evaluate("(ms) => window.reelPlayer.seek(ms)", played_from - part.start)
        page.keyboard.press("k")
        try:
            page.wait_for_function(
                "(ms) => window.reelPlayer.state() === 'playing' && window.reelPlayer.currentTime() > ms",
                arg=seg["start"] - part.start + 200,
                timeout=60_000,
            )
        except Exception as exc:
            now = page.evaluate("() => [reelPlayer.state(), reelPlayer.currentTime(), reelPlayer.segments()]")
            raise AssertionError(f"playback from {played_from - part.start} stalled at {now}: {seg}") from exc
        page.keyboard.press("k")
        page.evaluate("(ms) => window.reelPlayer.seek(ms)", rel)
        played = page.evaluate(DOM_JS)

        where = f"moment {i} at {label(at - skew)} in part {split.index(part) + 1}"
        assert (deep["clock"], deep["rows"]) == live_text(at - skew), where
        assert sought["html"] == deep["html"], f"{where}: a seek from {label(elsewhere - skew)} differs"
        assert played["html"] == deep["html"], f"{where}: playing on from {label(played_from - skew)} differs"
    context.close()


def check_deep_link_fetches(live: LiveReel, browser: Any, part: Part) -> None:
    """A deep link near the end of a long part fetches the segment it shows (and the next), not all."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    open_logged_in(page, f"{live.reel_url}/sessions")
    fetched: list[int] = []
    context.on("request", lambda r: (m := SEGMENT_URL.search(r.url)) and fetched.append(int(m.group(1))))
    at = part.end - 5 * 60_000
    page.goto(f"{live.reel_url}/sessions/{part.id}?t={at - part.start}")
    page.evaluate("() => window.reelPlayer.ready")
    page.wait_for_timeout(500)  # anything fetched after the first frame counts too
    shown = max((s for s in part.segments if s["start"] <= at), key=lambda s: int(s["start"]))["n"]
    assert len(part.segments) > 50
    assert 1 <= len(fetched) <= 2 and set(fetched) <= {shown, shown + 1}, fetched
    assert page.evaluate("() => window.reelPlayer.segments()") == [shown]
    context.close()


@pytest.mark.slow
def test_every_path_to_a_moment_shows_the_same_dom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with live_reel(tmp_path / "data", background=False) as live, chromium_browser() as browser:
        record(live, "rec-long", beacons())
        # Processing cuts segments and writes their keyframes; compaction waits (segments uncompacted).
        with monkeypatch.context() as patched:
            patched.setattr(processing_worker, "compact_recording", lambda ctx, lease: 0)
            while process_pending(live.ctx).beacons:
                pass
        split = parts(live)
        assert len(split) == 2
        segments = live.ctx.sessions.segments("rec-long")
        assert len(segments) > 100 and not any(s.compacted for s in segments)
        check_deep_link_fetches(live, browser, split[0])
        check_paths(live, browser, split)

        process_pending(live.ctx)  # now compaction runs
        segments = live.ctx.sessions.segments("rec-long")
        assert sum(s.compacted for s in segments) >= len(segments) - 1  # all but the open one
        split = parts(live)
        check_deep_link_fetches(live, browser, split[0])
        check_paths(live, browser, split)


def busy_beacons(minutes: int) -> list[list[dict[str, Any]]]:
    """A page whose clock ticks each second while a 200 KB text changes every 5 s: a segment every ~25 s."""
    events = page_snapshot()
    body = events[1]["data"]["node"]["childNodes"][0]["childNodes"][0]
    body["childNodes"].append(
        {
            "type": 2,
            "id": 7,
            "tagName": "div",
            "attributes": {"id": "blob"},
            "childNodes": [{"type": 3, "id": 8, "textContent": ""}],
        }
    )
    batches: list[list[dict[str, Any]]] = []
    for b in range(minutes * 12):
        start = T0 + b * 5000
        batch = [] if b else list(events)
        batch += [tick(start + s * 1000 + 500, label(start + s * 1000 + 500)) for s in range(5)]
        text = f"{b:04d}" * 50_000
        batch.append(
            {**tick(start + 4900, ""), "data": {**tick(0, "")["data"], "texts": [{"id": 8, "value": text}]}}
        )
        batches.append(batch)
    return batches


@pytest.mark.slow
def test_playing_through_many_segments_keeps_a_bounded_window(tmp_path: Path) -> None:
    with live_reel(tmp_path / "data", background=False) as live, chromium_browser() as browser:
        record(live, "rec-busy", busy_beacons(4))
        while process_pending(live.ctx).beacons:
            pass
        (part,) = parts(live)
        assert len(part.segments) >= 8
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.add_init_script(
            "localStorage.setItem('reel.player', JSON.stringify({speed: 8, skipInactive: false}))"
        )
        page = context.new_page()
        open_logged_in(page, f"{live.reel_url}/sessions/{part.id}")
        page.evaluate("() => window.reelPlayer.ready")
        samples: list[dict[str, Any]] = []
        for _ in range(600):
            sample = page.evaluate(
                """() => {
                  const p = window.reelPlayer;
                  const doc = p.iframe() && p.iframe().contentDocument;
                  const clock = doc && doc.getElementById('clock');
                  return { state: p.state(), segments: p.segments(), clock: clock && clock.textContent };
                }"""
            )
            samples.append(sample)
            if sample["state"] == "ended":
                break
            page.wait_for_timeout(200)
        assert samples[-1]["state"] == "ended", samples[-1]
        held = [s["segments"] for s in samples]
        assert max(len(h) for h in held) <= 6, held  # segments behind are dropped
        assert max(h[0] for h in held if h) >= part.segments[6]["n"], held  # it rolled over, more than once
        shown = [s["clock"] for s in samples if s["state"] in ("playing", "buffering", "ended")]
        assert None not in shown  # never a page without its clock, across every boundary and roll-over
        assert shown == sorted(shown, key=lambda c: [int(x) for x in c.split(":")]), (
            shown
        )  # never back in time
        ticked = [e for b in busy_beacons(4) for e in b if e["type"] == 3 and e["data"].get("texts")]
        last_tick = max(int(e["timestamp"]) for e in ticked if e["data"]["texts"][0]["id"] == 5)
        assert samples[-1]["clock"] == label(last_tick)
        context.close()
