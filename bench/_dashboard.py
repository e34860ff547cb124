"""The long recording of the seek and storage benchmarks: hours of a ticking dashboard, cached on disk.

The dashboard (bench/_site/: a 200-row table of services, 20 figures changing each second, a new row
each minute) loads Reel's real recorder with the documented snippet from a `reel serve` on a fresh data
directory. Chromium runs it under Playwright's clock: the clock is paused, then advanced in steps
(`run_for`, which fires every timer in order, one task each, so rrweb sees each second's mutations
apart), and after each step the benchmark waits until the recorder's outbox is empty, so every beacon
reaches Reel before the page's clock moves on. Eight recorded hours take a few minutes of wall time.
A request still in flight when the page's clock passes the recorder's 60 s request timeout is aborted
and retried (a few in thousands): Reel stores the beacon once, and the wire bytes count each beacon
once, at its last size. The final beacon, sent from `pagehide` as the tab closes, is not seen by the
counter (a few hundred bytes).

The result (Reel's data directory, the events as Reel's events API serves them, and a manifest with the
wire bytes) is kept in `bench/.cache/dashboard-v{WORKLOAD_VERSION}-{hours}h/` and reused by later runs.
`REEL_BENCH_HOURS` sets the length (default 8), `REEL_BENCH_RERECORD=1` records again, and
`REEL_BENCH_CACHE` moves the cache. Bump WORKLOAD_VERSION when the page or the procedure changes, and
record again when Reel's storage format changes (the manifest names the commit that recorded it).
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench._reel import RunningReel, Tenant, create_tenant, free_port, serve, wait_settled
from bench._static import serve_routes
from reel.demo.browser import chromium_browser
from reel.demo.runner import snippet

WORKLOAD_VERSION = 1
HERE = Path(__file__).resolve().parent
SITE = HERE / "_site"
STEP_MS = 120_000
# The dashboard is an internal tool: its table is shown in replays, the rest stays masked by default.
RULES = {
    "preset": "mask_all",
    "consent": {"required": True, "honor_gpc": True},
    "rules": [{"type": "unmask", "selector": "#board"}],
}
STATUS_JS = "() => window.reel && typeof window.reel.status === 'function' ? window.reel.status() : null"


def cache_root() -> Path:
    """Where recordings and built baseline bundles are kept (git-ignored)."""
    return Path(os.environ.get("REEL_BENCH_CACHE", HERE / ".cache"))


def bench_hours() -> float:
    """Recorded hours of the dashboard workload (REEL_BENCH_HOURS, default 8)."""
    return float(os.environ.get("REEL_BENCH_HOURS", "8"))


@dataclass(frozen=True)
class Recording:
    """A cached recording: Reel's data directory, the served events and what was measured while recording."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def events_path(self) -> Path:
        return self.folder / "events.json"

    @property
    def tenant(self) -> Tenant:
        return Tenant.from_json(self.manifest["tenant"])

    @property
    def session_id(self) -> str:
        return str(self.manifest["session_id"])


class WireCounter:
    """The beacon bodies a browser context sends to Reel, as sent (gzip or plain), once per beacon.

    Keyed by (recording, seq) from the body itself, so a retried beacon counts once, at its last size.
    """

    def __init__(self) -> None:
        self.sizes: dict[tuple[str, int], int] = {}
        self.failed = 0

    @property
    def bytes(self) -> int:
        return sum(self.sizes.values())

    @property
    def beacons(self) -> int:
        return len(self.sizes)

    def attach(self, context: Any) -> None:
        context.on("request", self._sent)
        context.on("requestfailed", self._failed)

    @staticmethod
    def _is_beacon(request: Any) -> bool:
        return bool(request.method == "POST" and "/v1/web/beacons" in request.url)

    def _sent(self, request: Any) -> None:
        if not self._is_beacon(request):
            return
        body = request.post_data_buffer or b""
        plain = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
        envelope = orjson.loads(plain)
        self.sizes[(str(envelope["recording_id"]), int(envelope["seq"]))] = len(body)

    def _failed(self, request: Any) -> None:
        if self._is_beacon(request):
            self.failed += 1


def dashboard_recording(hours: float | None = None) -> Recording:
    """The cached dashboard recording of `hours` (default REEL_BENCH_HOURS), recorded first if needed."""
    hours = bench_hours() if hours is None else hours
    folder = cache_root() / f"dashboard-v{WORKLOAD_VERSION}-{hours:g}h"
    manifest_path = folder / "manifest.json"
    if manifest_path.exists() and os.environ.get("REEL_BENCH_RERECORD") != "1":
        return Recording(folder, orjson.loads(manifest_path.read_bytes()))
    staging = folder.with_name(folder.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    manifest = _record(staging, hours)
    (staging / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    if folder.exists():
        shutil.rmtree(folder)
    staging.rename(folder)
    return Recording(folder, manifest)


def _record(folder: Path, hours: float) -> dict[str, Any]:
    site_port = free_port()
    origin = f"http://127.0.0.1:{site_port}"
    tenant = create_tenant(folder / "data", "Fleet dashboard", origin)
    started = time.monotonic()
    with serve(folder / "data", tenant, log=folder / "reel-record.log") as reel:
        reel.send("PUT", f"/api/v1/applications/{tenant.app_id}/masking-rules", RULES)
        reel.send("PATCH", f"/api/v1/applications/{tenant.app_id}", {"retention_days": 3650})
        page_html = (
            (SITE / "dashboard.html").read_text().replace("{{SNIPPET}}", snippet(reel.url, tenant.app_key))
        )
        routes = {
            "/": ("text/html; charset=utf-8", page_html.encode()),
            "/dashboard.js": ("text/javascript", (SITE / "dashboard.js").read_bytes()),
        }
        with serve_routes(routes, port=site_port) as site_url:
            wire, t0, version = _drive(site_url, hours)
        recorded_s = time.monotonic() - started
        session = _wait_for_recording(reel, wire.beacons)
        wait_settled(reel, session["id"])
        detail = reel.api(f"/api/v1/sessions/{session['id']}")
        events = reel.get(f"/api/v1/sessions/{session['id']}/events").content
    (folder / "events.json").write_bytes(events)
    return {
        "workload_version": WORKLOAD_VERSION,
        "hours": hours,
        "clock_start_ms": t0,
        "session_id": session["id"],
        "recording_id": session["recording_id"],
        "parts": detail.get("parts", []),
        "duration_ms": detail["duration_ms"],
        "session_events": detail.get("events"),
        "beacons": wire.beacons,
        "failed_beacon_requests": wire.failed,
        "wire_bytes": wire.bytes,
        "events_json_bytes": len(events),
        "record_wall_s": round(recorded_s, 1),
        "chromium": version,
        "reel_commit": _git_head(),
        "tenant": tenant.to_json(),
    }


def _drive(site_url: str, hours: float) -> tuple[WireCounter, int, str]:
    """Open the dashboard under a paused clock and advance it `hours`, letting each step's beacons land."""
    wire = WireCounter()
    total_ms = round(hours * 3_600_000)
    with chromium_browser() as browser:
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        wire.attach(context)
        page = context.new_page()
        t0 = (int(time.time()) + 1) * 1000
        page.clock.install(time=t0 / 1000)  # Python's clock API takes seconds
        page.goto(site_url + "/")
        page.wait_for_function("() => window.reel && window.reel.status && window.reel.status().recording")
        start = int(page.evaluate("Date.now()")) + 1000
        page.clock.pause_at(start / 1000)
        wall = time.monotonic()
        done = 0
        while done < total_ms:
            step = min(STEP_MS, total_ms - done)
            page.clock.run_for(step)
            done += step
            _drain(page, patience_s=30)
            if done % 3_600_000 == 0:
                print(f"  recorded {done / 3_600_000:g} h in {time.monotonic() - wall:.0f} s", flush=True)
        # The last buffered events, then the tab closes: pagehide sends the final beacon.
        page.evaluate("() => window.reel.flush()")
        _drain(page, patience_s=60, nudge=True)
        page.close(run_before_unload=True)
        time.sleep(1.5)
        version = browser.version
        context.close()
    if wire.failed:
        print(
            f"  note: {wire.failed} beacon requests reported failed (the browser closed or a retry followed)"
        )
    return wire, start, version


def _drain(page: Any, *, patience_s: float, nudge: bool = False) -> None:
    """Wait until every cut beacon was acknowledged; retries wait on the page's clock, so nudge it."""
    deadline = time.monotonic() + patience_s
    while True:
        status = page.evaluate(STATUS_JS)
        if status is None or status["pending"] == 0:
            return
        if time.monotonic() > deadline:
            if not nudge:
                return  # a retry waits on the page's clock: the next step fires it
            raise RuntimeError(f"{status['pending']} beacons were never acknowledged")
        if nudge:
            page.clock.run_for(1000)
        time.sleep(0.02)


def _wait_for_recording(reel: RunningReel, beacons: int, timeout_s: float = 300.0) -> dict[str, Any]:
    """The dashboard's session (part 1) once every beacon sent is stored and none is missing.

    Eight hours is also when Reel splits a session, so the recording may end with a short part 2 that
    holds no beacon and stays open until it falls silent: completeness is judged by beacons, not `closed`.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sessions = reel.api("/api/v1/sessions", app_id=reel.tenant.app_id, sort="start")["sessions"]
        stored = sum(s["beacons"] for s in sessions)
        if stored >= beacons and all(s["missing_beacons"] == 0 for s in sessions):
            return next(s for s in sessions if s["part"] == 1)  # type: ignore[no-any-return]
        time.sleep(1)
    raise RuntimeError(f"the dashboard recording is incomplete: {beacons} beacons sent")


def _git_head() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE)
    return done.stdout.strip() or "unknown"
