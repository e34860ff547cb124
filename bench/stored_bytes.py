"""P2: replay bytes stored per recorded minute, against the wire bytes and rrweb's packer.

Two workloads: the dashboard recording of bench/_dashboard.py (cached; 8 h by default) and the demo
shop's scripted visit (src/reel/demo/visit.py, recorded afresh through a `reel serve`). For each:

- wire: the beacon bodies as the recorder sent them (gzip, or plain for keepalive beacons on unload),
  once per beacon;
- packer: the events as Reel's events API serves them, stored as rrweb's packer stores them (`pack()`
  per event, deflate), the per-event storage of Sentry/PostHog-style systems;
- stored: Reel's replay data for the recording once its background work has settled and its segments
  are compacted (the visit's last segment is, once the recording has been quiet for QUIET_MS): the
  files of the recording in the replay store, or the application's `stored_bytes` (Reel's own
  accounting, which includes replay data held in the database), whichever is larger. The masked
  copies the read side keeps per rules version (`msk-*`, a cache rebuilt on demand) are reported
  apart, and with the stored bytes as a second figure.

Same run, same segments: each compacted segment is written afresh by this Reel (the figure "stored"
uses these, so a cached recording compacted by an older Reel is measured as this one stores it) and in
segment format 2 (JSON, zstd level 9, as Reel stored segments before format 3), and both encodings are
timed (CPU ms per recorded minute: what compaction costs; ms per segment to decode: what a
cold window read pays). Targets: stored <= 0.6x wire and <= 0.25x packer.
Run: `python -m bench stored_bytes`.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._bundle import packer_bytes
from bench._dashboard import WireCounter, dashboard_recording
from bench._reel import RunningReel, blob_bytes, copy_data_dir, create_tenant, free_port, serve, wait_settled
from bench._segment_formats import FormatFigures, format_figures
from bench.first_frame import machine
from reel.demo.browser import chromium_browser
from reel.demo.runner import snippet
from reel.demo.serving import serve_in_thread
from reel.demo.shop import create_shop_app
from reel.demo.visit import run_scripted_visit
from reel.storage.keys import MASKED_PREFIX

WIRE_TARGET, PACKER_TARGET = 0.6, 0.25


@dataclass(frozen=True)
class Sizes:
    """One recording's bytes, each way of keeping it."""

    name: str
    minutes: float
    events: int
    json_bytes: int
    wire: int
    packer: int
    blob_files: int
    stored_bytes_api: int
    formats: FormatFigures
    masked_copies: int = 0
    """Bytes of the masked copies the read side keeps beside the segments (a cache: not in `stored`)."""

    @property
    def stored_files(self) -> int:
        """What Reel stored for the recording, as found."""
        return max(self.blob_files, self.stored_bytes_api)

    @property
    def stored(self) -> int:
        """What it stores with its segments written by this Reel (the same as found, unless a cached
        recording was compacted by an older one)."""
        return self.stored_files - self.formats.disk_bytes + self.formats.current_bytes

    @property
    def stored_as_format_2(self) -> int:
        """What it stores with its segments in format 2 instead."""
        return self.stored_files - self.formats.disk_bytes + self.formats.format_2_bytes


def _stored(reel: RunningReel, recording_id: str) -> tuple[int, int, int]:
    """The recording's replay files without the masked copies, its `stored_bytes`, and the copies."""
    copies = sum(
        p.stat().st_size
        for p in _recording_files(reel.data_dir, recording_id)
        if p.name.startswith(MASKED_PREFIX)
    )
    files = blob_bytes(reel.data_dir, recording_id) - copies
    return files, int(reel.application().get("stored_bytes") or 0), copies


def _wait_compacted(reel: RunningReel, session_id: str, recording_id: str, timeout_s: float = 600.0) -> None:
    """Wait until the recording's segments are compacted: no keyframe blob waits beside a segment blob
    and at least one segment blob exists (a quiet recording's last segment closes after QUIET_MS)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        wait_settled(reel, session_id)
        names = [p.name for p in _recording_files(reel.data_dir, recording_id)]
        if any(n.startswith("seg-") for n in names) and not any(n.startswith("kf-") for n in names):
            return
        time.sleep(5)
    raise RuntimeError("the recording's segments were not compacted")


def _recording_files(data_dir: Path, recording_id: str) -> list[Path]:
    return [p for p in (data_dir / "blobs").rglob("*") if p.is_file() and recording_id in p.parts]


def dashboard_sizes(work: Path) -> Sizes:
    """The cached dashboard recording, on a copy of its data directory once Reel has settled on it."""
    rec = dashboard_recording()
    m = rec.manifest
    data = copy_data_dir(rec.data_dir, work / "dashboard")
    with serve(data, rec.tenant, log=work / "reel-dashboard.log") as reel:
        _wait_compacted(reel, rec.session_id, m["recording_id"])
        files, api, copies = _stored(reel, m["recording_id"])
    minutes = m["duration_ms"] / 60_000
    return Sizes(
        f"dashboard {m['hours']:g} h",
        minutes,
        int(m["session_events"] or 0),
        int(m["events_json_bytes"]),
        int(m["wire_bytes"]),
        packer_bytes(rec.events_path),
        files,
        api,
        format_figures(_recording_files(data, m["recording_id"])),
        copies,
    )


def shop_sizes(work: Path) -> Sizes:
    """The demo shop's scripted visit, recorded now through a `reel serve` on a fresh data directory."""
    shop_port = free_port()
    data = work / "shop"
    tenant = create_tenant(data, "Demo shop", f"http://127.0.0.1:{shop_port}")
    wire = WireCounter()
    with serve(data, tenant, log=work / "reel-shop.log") as reel:
        # As the demo does: the shop is on loopback, so resource capture may fetch from it.
        settings = {"origins": [], "allow_private": True}
        reel.send("PUT", f"/api/v1/applications/{tenant.app_id}/resource-settings", settings)
        with (
            serve_in_thread(create_shop_app(snippet(reel.url, tenant.app_key)), port=shop_port) as shop_url,
            chromium_browser() as browser,
        ):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            wire.attach(context)
            page = context.new_page()
            run_scripted_visit(page, shop_url)
            page.close()
            time.sleep(1.5)  # the final beacon leaves with keepalive from pagehide
            context.close()
        session = _closed_session(reel)
        _wait_compacted(reel, session["id"], session["recording_id"])
        detail = reel.api(f"/api/v1/sessions/{session['id']}")
        events_path = work / "shop-events.json"
        events_path.write_bytes(reel.get(f"/api/v1/sessions/{session['id']}/events").content)
        files, api, copies = _stored(reel, session["recording_id"])
    return Sizes(
        "demo shop visit",
        detail["duration_ms"] / 60_000,
        int(detail["events"]),
        events_path.stat().st_size,
        wire.bytes,
        packer_bytes(events_path),
        files,
        api,
        format_figures(_recording_files(data, session["recording_id"])),
        copies,
    )


def _closed_session(reel: RunningReel, timeout_s: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sessions = reel.api("/api/v1/sessions", app_id=reel.tenant.app_id)["sessions"]
        if len(sessions) == 1 and sessions[0]["closed"] and sessions[0]["missing_beacons"] == 0:
            return sessions[0]  # type: ignore[no-any-return]
        time.sleep(0.5)
    raise RuntimeError("the shop visit's session did not close with every beacon")


def report(sizes: list[Sizes]) -> None:
    """Print bytes per recorded minute and the ratios against the two baselines."""
    print(f"machine: {machine()}")
    print(
        f"P2 bytes per recorded minute (targets: stored <= {WIRE_TARGET}x wire, <= {PACKER_TARGET}x packer):"
    )
    for s in sizes:
        per = 1 / s.minutes
        wire_ratio, packer_ratio = s.stored / s.wire, s.stored / s.packer
        verdict = "ok" if wire_ratio <= WIRE_TARGET and packer_ratio <= PACKER_TARGET else "MISS"
        print(
            f"  {s.name}: {s.minutes:.1f} recorded minutes, {s.events} events, "
            f"{s.json_bytes / 1e6:.2f} MB JSON"
        )
        print(
            f"    stored {s.stored * per / 1e3:.1f} KB/min (as found: replay files "
            f"{s.blob_files / 1e3:.1f} KB, stored_bytes {s.stored_bytes_api / 1e3:.1f} KB, segments "
            f"{s.formats.disk_bytes / 1e3:.1f} KB; segments by this Reel "
            f"{s.formats.current_bytes / 1e3:.1f} KB)"
        )
        print(
            f"    wire {s.wire * per / 1e3:.1f} KB/min; packer {s.packer * per / 1e3:.1f} KB/min; "
            f"JSON {s.json_bytes * per / 1e3:.1f} KB/min"
        )
        print(f"    stored / wire {wire_ratio:.2f}x, stored / packer {packer_ratio:.2f}x [{verdict}]")
        cached = s.stored + s.masked_copies
        print(
            f"    masked copies (the read side's cache, one rules version, rebuilt on demand): "
            f"{s.masked_copies * per / 1e3:.1f} KB/min; stored + copies / wire {cached / s.wire:.2f}x, "
            f"/ packer {cached / s.packer:.2f}x"
        )
        f = s.formats
        old = s.stored_as_format_2
        print(
            f"    same segments in format 2 (before): stored {old * per / 1e3:.1f} KB/min, "
            f"/ wire {old / s.wire:.2f}x, / packer {old / s.packer:.2f}x; format {f.current_version} / 2 "
            f"{s.stored / old:.2f}x"
        )
        print(
            f"    {f.segments} segments: encode (compaction CPU) {f.encode_s * 1e3 * per:.1f} ms per "
            f"recorded minute (format 2: {f.format_2_encode_s * 1e3 * per:.1f}); "
            f"decode {f.decode_ms:.1f} ms per segment (format 2: {f.format_2_decode_ms:.1f})"
        )


def main() -> None:
    """Measure and print P2 on both workloads."""
    with tempfile.TemporaryDirectory() as tmp:
        report([dashboard_sizes(Path(tmp)), shop_sizes(Path(tmp))])


if __name__ == "__main__":
    main()
