"""How segments of the long recording would compress: zstd level, long window, dictionary, segment length.

Input: the events of the cached dashboard recording (bench/_dashboard.py) as Reel's events API serves
them. Every event of a window of 1, 5, 15 or 60 recorded minutes is one JSON array compressed as a
whole, alone and as a segment the way Reel's design has it (brief §3.10): after a keyframe (the
recording's Meta and full snapshot events, standing in for one rebuilt at the segment's start).
Windows tile a sample span after the first hour (30 minutes, or one 60-minute window); the dictionary
is trained on 5-second batches (the recorder's beacons) of the first hour only, so it never saw the
sample. Each configuration prints bytes per recorded minute, the ratio to the wire bytes (per-beacon
gzip, measured while recording) and the time to decompress one segment (what a seek pays).

Run: `python -m bench segment_compression`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import zstandard

from bench._dashboard import dashboard_recording
from bench.first_frame import machine

WINDOWS_MIN = (1, 5, 15, 60)
LEVELS = (3, 9, 19)
DICT_BYTES = 112_640
LONG_WINDOW_LOG = 27  # 128 MiB: more than any segment here, so the whole segment is in reach
BATCH_MS = 5_000
SAMPLE_MIN = 30  # minutes of windows per size (one window for the 60-minute size)


@dataclass(frozen=True)
class Config:
    level: int
    long: bool
    dictionary: bool

    @property
    def name(self) -> str:
        long = " +long" if self.long else "      "
        return f"level {self.level:>2}{long}{' +dict' if self.dictionary else '      '}"


def _windows(
    events: list[dict[str, Any]], start: int, end: int, width_ms: int
) -> Iterator[list[dict[str, Any]]]:
    at = start
    i = 0
    while i < len(events) and events[i]["timestamp"] < start:
        i += 1
    while at < end:
        window: list[dict[str, Any]] = []
        while i < len(events) and events[i]["timestamp"] < min(at + width_ms, end):
            window.append(events[i])
            i += 1
        yield window
        at += width_ms


def _compressor(config: Config, dictionary: zstandard.ZstdCompressionDict | None) -> zstandard.ZstdCompressor:
    used = dictionary if config.dictionary else None
    if config.long:
        params = zstandard.ZstdCompressionParameters.from_level(
            config.level, window_log=LONG_WINDOW_LOG, enable_ldm=True
        )
        return zstandard.ZstdCompressor(compression_params=params, dict_data=used)
    return zstandard.ZstdCompressor(level=config.level, dict_data=used)


def _segments(events: list[dict[str, Any]], start: int, minutes: int, keyframe: bytes | None) -> list[bytes]:
    span = max(minutes, SAMPLE_MIN) * 60_000
    windows = [orjson.dumps(w) for w in _windows(events, start, start + span, minutes * 60_000)]
    if keyframe is None:
        return windows
    return [keyframe[:-1] + (b"," + w[1:] if len(w) > 2 else b"]") for w in windows]


def _compress_all(
    compressor: zstandard.ZstdCompressor, decompressor: zstandard.ZstdDecompressor, segments: list[bytes]
) -> tuple[int, float, float]:
    """Compressed bytes, compression MB/s, and the best of 3 mean decompression times per segment (ms)."""
    t0 = time.perf_counter()
    blobs = [compressor.compress(s) for s in segments]
    speed = sum(len(s) for s in segments) / (time.perf_counter() - t0) / 1e6
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for blob in blobs:
            decompressor.decompress(blob, max_output_size=1 << 30)
        best = min(best, (time.perf_counter() - t0) / len(blobs))
    return sum(len(b) for b in blobs), speed, best * 1000


def measure() -> dict[str, Any]:
    """Compress every window size, alone and after a keyframe, under every configuration."""
    rec = dashboard_recording()
    events: list[dict[str, Any]] = orjson.loads(rec.events_path.read_bytes())["events"]
    first = events[0]["timestamp"]
    duration = int(rec.manifest["duration_ms"])
    hour = min(3_600_000, duration // 8)  # the training span: the first hour (an eighth of a short run)
    if duration - hour < max(WINDOWS_MIN) * 60_000:
        raise RuntimeError("the recording is too short for 60-minute windows after its first hour")
    start = first + hour
    full = next(i for i, e in enumerate(events) if e["type"] == 2)
    keyframe = orjson.dumps([e for e in events[: full + 1] if e["type"] in (2, 4)])
    samples = [orjson.dumps(w) for w in _windows(events, first, start, BATCH_MS) if w]
    t0 = time.perf_counter()
    dictionary = zstandard.train_dictionary(DICT_BYTES, samples)
    train_s = time.perf_counter() - t0
    json_per_min = {
        w: sum(map(len, _segments(events, start, w, None))) / max(w, SAMPLE_MIN) for w in WINDOWS_MIN
    }
    results: dict[str, Any] = {}
    configs = [Config(level, long, d) for level in LEVELS for long in (False, True) for d in (False, True)]
    for config in configs:
        compressor = _compressor(config, dictionary)
        decompressor = zstandard.ZstdDecompressor(dict_data=dictionary if config.dictionary else None)
        row: dict[str, dict[int, tuple[int, float, float]]] = {"alone": {}, "segment": {}}
        for w in WINDOWS_MIN:
            row["alone"][w] = _compress_all(compressor, decompressor, _segments(events, start, w, None))
            row["segment"][w] = _compress_all(compressor, decompressor, _segments(events, start, w, keyframe))
        results[config.name] = {"keyframe": len(compressor.compress(keyframe)), **row}
    return {
        "manifest": rec.manifest,
        "json_per_min": json_per_min,
        "keyframe_bytes": len(keyframe),
        "train_s": train_s,
        "results": results,
    }


def report(r: dict[str, Any]) -> None:
    """Print KB per recorded minute, the ratio to the wire and the decompression time per segment."""
    m = r["manifest"]
    wire_per_min = m["wire_bytes"] / (m["duration_ms"] / 60_000)
    print(f"machine: {machine()}")
    print(
        f"dashboard {m['hours']:g} h, windows after its first hour ({SAMPLE_MIN} minutes of them, 60 for the "
        f"60-minute window): events JSON {r['json_per_min'][1] / 1e3:.1f} KB/min, wire "
        f"{wire_per_min / 1e3:.1f} KB/min; keyframe (Meta + full snapshot) "
        f"{r['keyframe_bytes'] / 1e3:.1f} KB JSON; dictionary ({DICT_BYTES // 1024} KiB) trained in "
        f"{r['train_s']:.1f} s"
    )
    for variant, title in (("alone", "window alone"), ("segment", "segment = keyframe + window")):
        print(f"{title}: KB per recorded minute (x wire), decompression ms per segment")
        head = f"  {'':24}" + (f"{'keyframe':>10}" if variant == "segment" else "")
        print(head + "".join(f"{str(w) + ' min':>24}" for w in WINDOWS_MIN) + f"{'MB/s (15 min)':>15}")
        for name, res in r["results"].items():
            cells = []
            for w in WINDOWS_MIN:
                size, _speed, dms = res[variant][w]
                per_min = size / max(w, SAMPLE_MIN)
                cells.append(f"{per_min / 1e3:6.1f} ({per_min / wire_per_min:4.2f}x) {dms:5.1f}ms")
            kf = f"{res['keyframe'] / 1e3:8.1f}KB" if variant == "segment" else ""
            speed = res[variant][15][1]
            print(f"  {name:24}{kf}" + "".join(f"{c:>24}" for c in cells) + f"{speed:15.1f}")


def main() -> None:
    """Measure and print the segment compression table."""
    report(measure())


if __name__ == "__main__":
    main()
