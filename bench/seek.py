"""P1, P5 and P8 on the long recording: seek in an 8-hour session, its first frame, the player's heap.

Workload: `bench._dashboard` (8 recorded hours of a ticking dashboard through Reel's recorder, cached;
REEL_BENCH_HOURS shortens it). The seek target is 7 h 55 (5 minutes before the end), 20 random points
(seeded) follow it, forward and backward. Everything runs in one Chromium:

- baseline: plain rrweb `Replayer` on a static page with the same events (as Reel's events API serves
  them): load (fetch, parse, build, first paint), then the seek to the target (its fast-forward, the
  figure P1 is compared with), the random seeks, and its heap holding every event;
- Reel: `reel serve` on a copy of the cached data directory, restarted so each "cold" case is the first
  open after starting Reel in a fresh browser context (each cold case REEL_BENCH_COLD_RUNS times, 3 by
  default, its median judged: one cold start moved by 50-100 ms between runs on a shared machine); the
  player page `/sessions/{id}` through its test hook `window.reelPlayer`: seek 0 → target cold and
  warm, deep link `?t=` cold and warm, the random seeks, the heap of the page and its workers after
  them (P8), and the first frame (P5, measured as in bench/first_frame.py) on the cold opens and on
  warm opens.

A seek is timed from the call to the frame painted (two animation frames after the hook resolves),
fetching included; a deep link from navigation start to the same point, noted by the page itself (an
init script watching `ready`), with when each step ended and when the harness saw it (that later figure
was the one reported before; it adds Playwright's round trips). Run: `python -m bench seek`.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench._browser import quiet_chromium
from bench._bundle import replayer_page
from bench._dashboard import Recording, dashboard_recording
from bench._heap import Heap, measure_heap
from bench._reel import RunningReel, copy_data_dir, log_in, serve, wait_settled
from bench._static import route_for, serve_routes
from bench.first_frame import WATCH_REPLAY_JS, machine, open_timed

SEEK_MS, SPEEDUP, HEAP_MB, FIRST_FRAME_MS = 150, 10, 150, 200
RANDOM_SEEKS = 20
INCLUSIVE_MS = 1
BEFORE_END_MS = 5 * 60_000
VIEWPORT = {"width": 1440, "height": 900}
SLOW_MS = 600_000  # never wait forever
COLD_RUNS = max(1, int(os.environ.get("REEL_BENCH_COLD_RUNS", "3")))
"""Cold starts per cold case (each a new `reel serve` and browser context); their median is judged."""
PAINTED_JS = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))"
# Where a seek's time goes, from the player's performance marks: until the segment it needed had arrived
# (when it fetched one), and from then until painted (building the replayer, fast-forward, paint).
SPLIT_JS = """(t0, t1) => {
  const at = (name) => {
    const m = performance.getEntriesByName(name).pop();
    return m && m.startTime >= t0 ? m.startTime : null;
  };
  const fetched = at('reel:segment-fetched');
  const applying = at('reel:seek-applying');
  return { fetchMs: fetched === null ? null : fetched - t0,
           applyMs: applying === null ? null : t1 - applying };
}"""
REEL_SEEK_JS = """async (ms) => {
  const p = window.reelPlayer;
  await p.ready;
  const t0 = performance.now();
  await p.seek(ms);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
  const t1 = performance.now();
  const doc = p.iframe() && p.iframe().contentDocument;
  const label = doc && doc.querySelector("#updated");
  return { ms: t1 - t0, at: p.currentTime(), text: label ? label.textContent : null,
           segments: p.segments ? p.segments().length : null, split: (SPLIT)(t0, t1) };
}""".replace("(SPLIT)", f"({SPLIT_JS})")
# Before any page script (deep links): note, in the page, when the player's `ready` resolved and the frame
# after it was painted (two animation frames later). Timed in the page, not when the harness gets round to
# asking: Playwright's round trips (wait_for_function, then evaluate) added 25-200 ms under load. The
# harness learns of it by a console message: waiting with wait_for_function injected Playwright's script
# into the page while it loaded (10-25 ms of its main thread in a trace, inside the measured time).
PAINTED_MESSAGE = "reel-bench:deep-link-painted"
DEEP_LINK_WATCH_JS = """(() => {
  let hook;
  Object.defineProperty(window, "reelPlayer", { configurable: true, get: () => hook, set: (value) => {
    hook = value;
    value.ready.then(() => {
      const ready = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => {
        if (window.__reelDeepLink) return;
        window.__reelDeepLink = { ready, painted: performance.now() };
        console.debug("MESSAGE");
      }));
    });
  } });
})();""".replace("MESSAGE", PAINTED_MESSAGE)
DEEP_LINK_JS = """async () => {
  const p = window.reelPlayer;
  await p.ready;
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
  const harness = performance.now();
  const t1 = window.__reelDeepLink.painted;
  const doc = p.iframe() && p.iframe().contentDocument;
  const label = doc && doc.querySelector("#updated");
  const nav = performance.getEntriesByType("navigation")[0];
  const at = (name) => { const m = performance.getEntriesByName(name).pop(); return m ? m.startTime : null; };
  return { ms: t1, harnessMs: harness, at: p.currentTime(), text: label ? label.textContent : null,
           segments: p.segments ? p.segments().length : null, split: (SPLIT)(0, t1),
           phases: { page: nav.responseEnd, script: nav.domContentLoadedEventStart,
                     segment: at("reel:segment-fetched"), applying: at("reel:seek-applying"),
                     ready: window.__reelDeepLink.ready, painted: t1 } };
}""".replace("(SPLIT)", f"({SPLIT_JS})")
SEGMENT_URL = re.compile(r"/api/v1/sessions/[^/]+/segments/")


def seek_points(duration_ms: int) -> tuple[int, list[int]]:
    """The main target (7 h 55 on 8 hours) and the random points, as ms from the session start."""
    rng = random.Random(11)
    return duration_ms - BEFORE_END_MS, [rng.randrange(0, duration_ms) for _ in range(RANDOM_SEEKS)]


def measure_rrweb(browser: Any, rec: Recording, start: int, target: int, points: list[int]) -> dict[str, Any]:
    """rrweb's Replayer alone on a static page: load, seek to the target, random seeks, heap."""
    html, bundle = replayer_page()
    routes = {
        "/": route_for(html),
        "/baseline.js": route_for(bundle),
        "/events.json": route_for(rec.events_path),
    }
    with serve_routes(routes) as url:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(url + "/")
        load = page.evaluate("() => window.bench.load('/events.json')")
        # Reel's state at T includes the events stamped T; rrweb's pause(T) applies those before T only.
        seek = page.evaluate("(at) => window.bench.seek(at)", start + target + INCLUSIVE_MS)
        text = page.evaluate("() => window.bench.text('#updated')")
        randoms = [page.evaluate("(at) => window.bench.seek(at)", start + p + INCLUSIVE_MS) for p in points]
        heap = measure_heap(context, page)
        context.close()
    return {"load": load, "seek_ms": seek, "text": text, "random_ms": randoms, "heap": heap}


def _player_context(browser: Any, reel: RunningReel) -> Any:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(WATCH_REPLAY_JS)
    login = context.new_page()
    log_in(login, reel.url)
    login.close()
    return context


def _open_and_seek(context: Any, player: str, target: int) -> tuple[dict[str, float], dict[str, Any], Any]:
    """Open the player at its start (first frame timed), then seek to `target`; the page stays open."""
    page = context.new_page()
    page.set_default_timeout(SLOW_MS)
    first = open_timed(page, player, timeout_ms=SLOW_MS)
    seek = page.evaluate(REEL_SEEK_JS, target)
    return first, seek, page


def _open_once(context: Any, player: str) -> dict[str, float]:
    page = context.new_page()
    marks = open_timed(page, player, timeout_ms=SLOW_MS)
    page.close()
    return marks


def _deep_link(context: Any, player: str, target: int) -> dict[str, Any]:
    page = context.new_page()
    page.set_default_timeout(SLOW_MS)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if SEGMENT_URL.search(r.url) else None)
    page.add_init_script(DEEP_LINK_WATCH_JS)
    with page.expect_console_message(lambda m: m.text == PAINTED_MESSAGE, timeout=SLOW_MS):
        page.goto(f"{player}?t={target}")
    result: dict[str, Any] = page.evaluate(DEEP_LINK_JS)
    result["requests"] = len(fetched)  # segment requests up to the painted frame: O(1), never all
    page.close()
    return result


def measure_reel(browser: Any, rec: Recording, target: int, points: list[int], work: Path) -> dict[str, Any]:
    """Reel's player on a copy of the recording: cold and warm seeks and deep links, random seeks, heap."""
    data = copy_data_dir(rec.data_dir, work / "data")
    log = work / "reel.log"
    out: dict[str, Any] = {"first_cold": [], "seek_cold": [], "deep_cold": []}
    # Let Reel finish any background work on the copy first, so "cold" measures reading, not catching up.
    with serve(data, rec.tenant, log=log) as reel:
        wait_settled(reel, rec.session_id)
    # Each cold case is the first open after starting Reel, in a new browser context; taken COLD_RUNS
    # times, as one cold start moved by 50-100 ms between runs on a shared 2-core machine.
    for _ in range(COLD_RUNS):
        with serve(data, rec.tenant, log=log) as reel:
            context = _player_context(browser, reel)
            first, seek, page = _open_and_seek(context, f"{reel.url}/sessions/{rec.session_id}", target)
            out["first_cold"].append(first)
            out["seek_cold"].append(seek)
            page.close()
            context.close()
        with serve(data, rec.tenant, log=log) as reel:
            context = _player_context(browser, reel)
            out["deep_cold"].append(_deep_link(context, f"{reel.url}/sessions/{rec.session_id}", target))
            context.close()
    # Warm: the same server and browser context after a first open (or a first deep link).
    with serve(data, rec.tenant, log=log) as reel:
        player = f"{reel.url}/sessions/{rec.session_id}"
        context = _player_context(browser, reel)
        _, _, page = _open_and_seek(context, player, target)
        page.close()
        first, seek_warm, page = _open_and_seek(context, player, target)
        out["seek_warm"] = [seek_warm]  # one run, listed as the cold cases are
        out["random"] = [page.evaluate(REEL_SEEK_JS, p) for p in points]
        out["heap"] = measure_heap(context, page)
        page.close()
        out["first_warm"] = [first] + [_open_once(context, player) for _ in range(2)]
        _deep_link(context, player, target)
        out["deep_warm"] = [_deep_link(context, player, target)]
        context.close()
    return out


def measure() -> dict[str, Any]:
    """Record (or reuse) the workload, then measure rrweb and Reel in one browser."""
    rec = dashboard_recording()
    parts = rec.manifest["parts"]
    start = int(parts[0]["start"]) if parts else int(rec.manifest["clock_start_ms"])
    target, points = seek_points(int(rec.manifest["duration_ms"]))
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp, quiet_chromium() as browser:
        rrweb = measure_rrweb(browser, rec, start, target, points)
        reel = measure_reel(browser, rec, target, points, Path(tmp))
        version = browser.version
    return {
        "load": (load_before, os.getloadavg()),
        "recording": rec.manifest,
        "target": target,
        "points": points,
        "rrweb": rrweb,
        "reel": reel,
        "chromium": version,
    }


def _loads(load: tuple[float, float, float]) -> str:
    return "/".join(f"{x:.2f}" for x in load)


def _clock(ms: float) -> str:
    s = int(ms // 1000)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def _heap_line(name: str, heap: Heap) -> str:
    return (
        f"  {name}: {heap.used_mb:.1f} MB in use, {heap.retained_mb:.1f} MB after GC "
        f"(page {heap.page_after_gc / 1e6:.1f} MB + {heap.workers} workers "
        f"{heap.workers_after_gc / 1e6:.1f} MB)"
    )


def _split(one: dict[str, Any]) -> str:
    """Where one seek's time went, from the player's marks, and how many segments it held and fetched."""
    split = one.get("split") or {}
    parts = [f"{one.get('segments')} segment(s) held"]
    if "requests" in one:
        parts.append(f"{one['requests']} fetched")
    if split.get("fetchMs") is not None:
        parts.append(f"segment arrived after {split['fetchMs']:.0f} ms")
    if split.get("applyMs") is not None:
        parts.append(f"build + fast-forward + paint {split['applyMs']:.0f} ms")
    return ", ".join(parts)


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run whose time is the median (the lower middle one of an even count: COLD_RUNS is odd by
    default, so the figure shown is a run's own, its steps with it)."""
    return sorted(runs, key=lambda one: float(one["ms"]))[(len(runs) - 1) // 2]


def _of_runs(runs: list[dict[str, Any]], key: str = "ms") -> str:
    """Every run's figure, when there were several (the median is the one shown)."""
    if len(runs) < 2:
        return ""
    values = ", ".join(f"{float(one[key]):.0f}" for one in runs)
    return f" (median of {len(runs)} cold starts: {values} ms)"


def _phases(one: dict[str, Any]) -> str:
    """When a deep link's steps ended, in ms from navigation start (the page's own clock)."""
    names = (
        ("page", "page answered"),
        ("script", "player.js run"),
        ("segment", "segment parsed"),
        ("applying", "replayer built"),
        ("ready", "frame applied (ready)"),
        ("painted", "painted"),
    )
    phases = one.get("phases") or {}
    steps = [f"{label} {phases[key]:.0f}" for key, label in names if phases.get(key) is not None]
    return ", ".join(steps) + f"; the harness saw it at {one['harnessMs']:.0f} ms"


def report(r: dict[str, Any]) -> None:
    """Print the figures, their ratios to rrweb and the targets."""
    m, rr, reel = r["recording"], r["rrweb"], r["reel"]
    mb = m["events_json_bytes"] / 1e6
    print(f"machine: {machine()} · Chromium {r['chromium']}")
    before, after = r["load"]
    # Other work on the machine moves every figure below: 2 cores, other benchmarks beside this one.
    print(f"load average (1/5/15 min): {_loads(before)} before, {_loads(after)} after")
    print(
        f"workload: {m['hours']:g} h dashboard (v{m['workload_version']}, recorded at {m['reel_commit']}): "
        f"{m['session_events']} events, {mb:.1f} MB JSON as served, {m['beacons']} beacons, "
        f"{m['wire_bytes'] / 1e6:.2f} MB on the wire; seek target {_clock(r['target'])}"
    )
    load, ff = rr["load"], rr["seek_ms"]
    print("rrweb Replayer alone (baseline):")
    print(
        f"  load {load['totalMs']:.0f} ms (fetch {load['fetchMs']:.0f}, parse {load['parseMs']:.0f}, "
        f"build + first paint {load['buildMs']:.0f}); fast-forward 0 → {_clock(r['target'])}: {ff:.0f} ms "
        f"({ff / mb:.1f} ms per MB of events)"
    )
    rs = rr["random_ms"]
    print(f"  {len(rs)} random seeks: median {statistics.median(rs):.0f} ms, max {max(rs):.0f} ms")
    print(_heap_line("heap holding every event", rr["heap"]))
    print(f"Reel player (P1; target <= {SEEK_MS} ms and >= {SPEEDUP}x faster than rrweb's fast-forward):")
    for key, name in (
        ("seek_cold", "seek 0 → target, cold"),
        ("seek_warm", "seek 0 → target, warm"),
        ("deep_cold", "deep link ?t=target, cold (from navigation start)"),
        ("deep_warm", "deep link ?t=target, warm"),
    ):
        runs = reel[key]
        one = _median_run(runs)
        other = [run["text"] for run in runs if run["text"] != rr["text"]]
        same = (
            "same frame as rrweb" + (" in every run" if len(runs) > 1 else "")
            if not other
            else f"frame {other[0]!r} vs rrweb {rr['text']!r} in {len(other)} of {len(runs)} run(s)"
        )
        print(
            f"  {name}: {one['ms']:.0f} ms = {ff / one['ms']:.2f}x rrweb's fast-forward "
            f"[{'ok' if one['ms'] <= SEEK_MS and ff / one['ms'] >= SPEEDUP else 'MISS'}] ({same}; "
            f"{_split(one)})" + _of_runs(runs)
        )
    for key in ("deep_cold", "deep_warm"):
        print(f"  {key.replace('_', ' ')}: {_phases(_median_run(reel[key]))}")
    ms = [x["ms"] for x in reel["random"]]
    over = sum(1 for x in ms if x > SEEK_MS)
    moves = [r["target"], *r["points"]]
    back = sum(1 for a, b in itertools.pairwise(moves) if b < a)
    fetches = [x["split"]["fetchMs"] for x in reel["random"] if x.get("split", {}).get("fetchMs") is not None]
    applies = [x["split"]["applyMs"] for x in reel["random"] if x.get("split", {}).get("applyMs") is not None]
    if fetches and applies:
        print(
            f"  random seeks that fetched a segment: {len(fetches)}; median until it arrived "
            f"{statistics.median(fetches):.0f} ms, median build + fast-forward + paint "
            f"{statistics.median(applies):.0f} ms"
        )
    print(
        f"  {len(ms)} random seeks ({back} backward): median {statistics.median(ms):.0f} ms, "
        f"max {max(ms):.0f} ms, "
        f"{over} over {SEEK_MS} ms; rrweb's median / Reel's: "
        f"{statistics.median(rs) / statistics.median(ms):.2f}x"
    )
    heap = reel["heap"]
    # Judged after a forced collection: what is in use before it swings by tens of MB with GC timing.
    verdict = "ok" if heap.retained_mb <= HEAP_MB else "MISS"
    print(f"Reel player heap after the seeks (P8; target <= {HEAP_MB} MB after GC) [{verdict}]:")
    print(_heap_line("page + workers", heap))
    print(f"  vs rrweb holding every event, after GC: {heap.retained_mb / rr['heap'].retained_mb:.2f}x")
    colds = reel["first_cold"]
    cold = statistics.median(x["firstFrame"] for x in colds)
    warm = statistics.median(x["firstFrame"] for x in reel["first_warm"])
    drawn = statistics.median(x["replayer"] for x in reel["first_warm"])
    verdict = "ok" if max(cold, warm) <= FIRST_FRAME_MS else "MISS"
    print(
        f"Reel first frame on opening the {m['hours']:g} h session "
        f"(P5; target <= {FIRST_FRAME_MS} ms) [{verdict}]:"
    )
    print(
        f"  first frame {cold:.0f} ms cold{_of_runs(colds, 'firstFrame')}, "
        f"{warm:.0f} ms warm (median of {len(reel['first_warm'])}); replayer drawn "
        f"{statistics.median(x['replayer'] for x in colds):.0f} ms cold, {drawn:.0f} ms warm"
    )
    # The page's answer carries the first frame (rendered on the server): its share of the figure.
    answered = statistics.median(x["responseEnd"] for x in reel["first_warm"])
    cold_answer = statistics.median(x["responseEnd"] for x in colds)
    print(f"  the page answered after {cold_answer:.0f} ms cold, {answered:.0f} ms warm")


def main() -> None:
    """Measure and print P1, P5 and P8 on the long recording."""
    report(measure())


if __name__ == "__main__":
    main()
